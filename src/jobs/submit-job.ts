import path from 'node:path';
import { Queue } from 'bullmq';
import { checkEvaluationJobSpec, isEvaluationJob, type EvaluationJobSpec } from './evaluation-job.js';
import { checkExamplesJobSpec, isExamplesJob, type ExamplesJobSpec } from './examples-job.js';
import { checkJobSpec, claimJobFolder, jobKey, type JobSpec } from './job-spec.js';
import { missingShards, readReceipts } from './shard-files.js';
import { shardName, shardPlan, type Shard } from './shard-plan.js';
import { redisAddress } from './redis-connection.js';

/** The BullMQ queue Lumen's jobs go to unless told otherwise. */
export const DEFAULT_QUEUE = 'lumen';

/** What a shard's queue entry carries: the job folder (shared by every worker) and the rows. */
export interface ShardTask {
  readonly out: string;
  readonly job: string;
  readonly shard: Shard;
}

/** Options of submitJob. */
export interface SubmitOptions {
  readonly queue?: string;
  /** Tries per shard before it is reported failed (default 4). */
  readonly attempts?: number;
  /** First retry delay in ms, doubled at each retry (default 1000). */
  readonly backoffMs?: number;
}

/** What submitJob enqueued. */
export interface Submitted {
  readonly job: string;
  readonly shards: number;
  readonly enqueued: number;
}

/**
 * Enqueues a job on BullMQ as one entry per unfinished shard (id `<job key>-shard-NNNNN`, so a
 * second submit adds nothing twice), after writing its spec to the shared output folder `out`.
 * Each entry is retried with exponential backoff, then kept as failed with its error. Explain jobs,
 * evaluation jobs (`lumen evaluate --redis`) and examples jobs (`lumen examples --queries … --redis`) go the same way; workers tell them apart by the spec.
 */
export async function submitJob(redis: string, out: string, spec: JobSpec | EvaluationJobSpec | ExamplesJobSpec, options: SubmitOptions = {}): Promise<Submitted> {
  const dir = path.resolve(out);
  if (isEvaluationJob(spec)) await claimJobFolder(dir, spec, checkEvaluationJobSpec);
  else if (isExamplesJob(spec)) await claimJobFolder(dir, spec, checkExamplesJobSpec);
  else await claimJobFolder(dir, spec, checkJobSpec);
  const key = jobKey(spec);
  const all = shardPlan(spec.size, spec.shardSize);
  const todo = missingShards(all, await readReceipts(dir));
  const queue = new Queue<ShardTask>(options.queue ?? DEFAULT_QUEUE, { connection: redisAddress(redis) });
  try {
    await queue.addBulk(todo.map((shard) => ({
      name: `${key}-${shardName(shard.index)}`,
      data: { out: dir, job: key, shard },
      opts: {
        jobId: `${key}-${shardName(shard.index)}`,
        attempts: options.attempts ?? 4,
        backoff: { type: 'exponential', delay: options.backoffMs ?? 1000 },
        removeOnComplete: false,
        removeOnFail: false,
      },
    })));
  } finally {
    await queue.close();
  }
  return { job: key, shards: all.length, enqueued: todo.length };
}
