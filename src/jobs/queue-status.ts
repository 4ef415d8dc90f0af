import { Queue } from 'bullmq';
import { redisAddress } from './redis-connection.js';
import { DEFAULT_QUEUE, type ShardTask } from './submit-job.js';

/** A shard that used up its tries, with the last error. */
export interface FailedShard {
  readonly id: string;
  readonly out: string;
  readonly shard: number;
  readonly attempts: number;
  readonly error: string;
}

/** A queue's state: entries by state, and the shards that failed for good. */
export interface QueueStatus {
  readonly counts: Readonly<Record<'waiting' | 'active' | 'delayed' | 'completed' | 'failed', number>>;
  readonly failed: readonly FailedShard[];
}

/** The state of a Lumen queue on BullMQ (optionally only the entries of job `job`). */
export async function queueStatus(redis: string, options: { readonly queue?: string; readonly job?: string } = {}): Promise<QueueStatus> {
  const queue = new Queue<ShardTask>(options.queue ?? DEFAULT_QUEUE, { connection: redisAddress(redis) });
  try {
    const states = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;
    const counts = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 };
    if (options.job === undefined) {
      const c = await queue.getJobCounts(...states);
      for (const s of states) counts[s] = c[s] ?? 0;
    } else {
      for (const s of states) {
        const jobs = await queue.getJobs(s);
        counts[s] = jobs.filter((j) => j.data.job === options.job).length;
      }
    }
    const failed = (await queue.getFailed())
      .filter((j) => options.job === undefined || j.data.job === options.job)
      .map((j) => ({ id: String(j.id), out: j.data.out, shard: j.data.shard.index, attempts: j.attemptsMade, error: j.failedReason ?? '' }));
    return { counts, failed };
  } finally {
    await queue.close();
  }
}
