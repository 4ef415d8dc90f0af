import type { Command } from 'commander';
import { startWorker } from '../jobs/run-worker.js';
import { DEFAULT_QUEUE } from '../jobs/submit-job.js';
import { withBackend } from './context.js';
import { prepareJob } from './job-context.js';
import { prepareEvaluationJob } from './evaluate-job.js';
import { prepareExamplesJob } from './examples-job.js';
import { parseIntegerFlag } from './parse-number.js';

/**
 * `lumen worker --redis URL`: a process that takes shards from the queue until it is stopped
 * (SIGTERM / SIGINT let the shard in hand finish and be acknowledged). Run any number, anywhere the
 * job folder is shared.
 */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run dataset-job shards from a BullMQ queue (lumen queue submit, lumen evaluate --redis, lumen examples --queries … --redis) until stopped')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6379')
    .option('--queue <name>', 'BullMQ queue name', DEFAULT_QUEUE)
    .option('--lock-ms <n>', 'ms without a lock renewal after which a shard counts as stalled (its worker died) and is given to another', '30000')
    .option('--quiet', 'print nothing per shard')
    .action(async (flags: { redis: string; queue: string; lockMs: string; quiet?: boolean }) => {
      const lockDuration = parseIntegerFlag('--lock-ms', flags.lockMs, 1000);
      await withBackend(program);
      const log = flags.quiet ? undefined : (line: string) => process.stderr.write(`worker ${process.pid}: ${line}\n`);
      const worker = startWorker(flags.redis, { queue: flags.queue, prepare: prepareJob, prepareEvaluation: prepareEvaluationJob, prepareExamples: prepareExamplesJob, lockDuration, ...(log ? { log } : {}) });
      log?.(`waiting for shards on '${flags.queue}'`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          log?.('stopping after the shard in hand');
          void worker.close().then(resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}
