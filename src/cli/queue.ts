import path from 'node:path';
import type { Command } from 'commander';
import { collectShards } from '../jobs/collect-shards.js';
import { jobKey, readJobSpec } from '../jobs/job-spec.js';
import { queueStatus } from '../jobs/queue-status.js';
import { readReceipts } from '../jobs/shard-files.js';
import { shardPlan } from '../jobs/shard-plan.js';
import { DEFAULT_QUEUE, submitJob } from '../jobs/submit-job.js';
import { LumenError } from '../core/errors.js';
import { withBackend } from './context.js';
import { DATASET_SPECS } from './dataset-spec.js';
import { addJobFlags, jobSpecFromFlags, type JobFlags } from './job-flags.js';
import { prepareJob } from './job-context.js';
import { OUTPUT_KIND_FLAG, OUTPUT_NODE_FLAG } from './model-flags.js';
import { parseIntegerFlag } from './parse-number.js';
import { formatTable } from './table.js';

interface SubmitFlags extends JobFlags {
  readonly redis: string;
  readonly queue: string;
  readonly out: string;
  readonly attempts?: string;
  readonly backoffMs?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `lumen queue submit | status | collect`: a dataset job as shards on BullMQ (Redis), its progress, its merged results. */
export function registerQueue(program: Command): void {
  const queue = program.command('queue').description('dataset jobs spread over lumen worker processes by BullMQ on Redis');
  addJobFlags(queue
    .command('submit')
    .description('enqueue a dataset explain job as one queue entry per shard; workers write to the shared --out folder')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .option('--queue <name>', 'BullMQ queue name', DEFAULT_QUEUE)
    .requiredOption('--out <folder>', 'the job folder every worker can reach (shared disk)')
    .requiredOption('--model <spec>', 'as lumen explain --model (each worker loads its own copy)')
    .option(...OUTPUT_KIND_FLAG)
    .option(...OUTPUT_NODE_FLAG)
    .requiredOption('--method <id>', 'a local method id (see lumen methods)')
    .option('--target <class>', "class index, 'predicted' or 'label' (the dataset's labels)", 'predicted')
    .option('--layer <name>', 'attribute to this layer')
    .option('--opt <name=value>', 'a method option (repeatable)', collect, [])
    .option('--seed <n>', 'the job seed (each shard batch draws from a seed mixed from it)')
    .option('--batch-size <n>', 'rows per dataset batch')
    .option('--attempts <n>', 'tries per shard before it is reported failed', '4')
    .option('--backoff-ms <n>', 'first retry delay, doubled at each retry', '1000'))
    .action(async (flags: SubmitFlags) => {
      if (flags.data === undefined) throw new LumenError('option', `--data: lumen queue submit needs a dataset (${DATASET_SPECS})`);
      const attempts = parseIntegerFlag('--attempts', flags.attempts ?? '4', 1);
      const backoffMs = parseIntegerFlag('--backoff-ms', flags.backoffMs ?? '1000', 0);
      jobSpecFromFlags(flags, 1);
      await withBackend(program);
      const draft = jobSpecFromFlags(flags, 1);
      const ctx = await prepareJob(draft);
      const size = ctx.dataset.size;
      ctx.dispose();
      const submitted = await submitJob(flags.redis, flags.out, { ...draft, size }, { queue: flags.queue, attempts, backoffMs });
      process.stdout.write(`job ${submitted.job}: ${submitted.enqueued} of ${submitted.shards} shards enqueued on '${flags.queue}' (${size} rows); results in ${path.resolve(flags.out)}\n`);
    });
  queue
    .command('status')
    .description('entries of the queue by state, the shards that failed for good with their error, and a job folder\'s finished shards')
    .requiredOption('--redis <url>', 'Redis URL')
    .option('--queue <name>', 'BullMQ queue name', DEFAULT_QUEUE)
    .option('--out <folder>', 'only this job (and count its finished shards on disk)')
    .option('--json', 'print JSON')
    .action(async (flags: { redis: string; queue: string; out?: string; json?: boolean }) => {
      const spec = flags.out ? await readJobSpec(flags.out) : undefined;
      const key = spec ? jobKey(spec) : undefined;
      const status = await queueStatus(flags.redis, { queue: flags.queue, ...(key ? { job: key } : {}) });
      const disk = spec && flags.out ? { finished: (await readReceipts(flags.out)).size, shards: shardPlan(spec.size, spec.shardSize).length } : undefined;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...status, ...(disk ? { disk } : {}) })}\n`);
        return;
      }
      const c = status.counts;
      process.stdout.write(`${flags.queue}${key ? ` (job ${key})` : ''}: ${c.waiting} waiting, ${c.active} active, ${c.delayed} delayed (retry backoff), ${c.completed} completed, ${c.failed} failed\n`);
      if (disk) process.stdout.write(`${flags.out}: ${disk.finished} of ${disk.shards} shards written\n`);
      if (status.failed.length) process.stdout.write(`${formatTable(['shard', 'tries', 'error'], status.failed.map((f) => [String(f.shard), String(f.attempts), f.error]))}\n`);
    });
  queue
    .command('collect')
    .description('merge a finished job\'s shard outputs into results.jsonl and results.parquet (each row once, in dataset order)')
    .requiredOption('--out <folder>', 'the job folder')
    .action(async (flags: { out: string }) => {
      const done = await collectShards(flags.out);
      process.stdout.write(`wrote ${done.jsonl} and ${done.parquet}: ${done.rows} rows from ${done.shards} shards\n`);
    });
}
