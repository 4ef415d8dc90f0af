import { Worker, type Job } from 'bullmq';
import { LumenError } from '../core/errors.js';
import { explainShard, type JobContext } from './explain-shard.js';
import { jobKey, readJobSpec, type JobSpec } from './job-spec.js';
import { writeShard, type ShardReceipt } from './shard-files.js';
import { redisAddress } from './redis-connection.js';
import { DEFAULT_QUEUE, type ShardTask } from './submit-job.js';

/** A job's context as a worker holds it: released when the worker moves to another job. */
export interface PreparedJob extends JobContext {
  dispose(): void;
}

/** Options of startWorker. */
export interface ShardWorkerOptions {
  readonly queue?: string;
  /** Builds the model, dataset and method of a job from its spec (the CLI loads them by name). */
  readonly prepare: (spec: JobSpec) => Promise<PreparedJob>;
  /** ms a shard stays locked without a renewal before another worker may take it (default 30,000). */
  readonly lockDuration?: number;
  /** Times a shard may be found stalled (its worker died) before it is failed (default 3). */
  readonly maxStalledCount?: number;
  readonly log?: (line: string) => void;
}

/** A running worker: close() lets the shard in hand finish (and be acknowledged), then stops. */
export interface ShardWorker {
  close(): Promise<void>;
}

/**
 * Starts a BullMQ worker that explains shards: it reads the job spec from the shard's folder, runs
 * the shard, writes its outputs durably (writeShard) and only then returns, which is what
 * acknowledges the shard. A throw fails the try (BullMQ retries it with backoff); a worker that
 * dies mid-shard leaves it locked until the lock expires, then another worker takes it.
 */
export function startWorker(redis: string, options: ShardWorkerOptions): ShardWorker {
  let held: { key: string; job: PreparedJob } | undefined;
  const log = options.log ?? (() => undefined);
  const contextFor = async (task: ShardTask): Promise<PreparedJob> => {
    if (held?.key === task.job) return held.job;
    const spec = await readJobSpec(task.out);
    if (!spec) throw new LumenError('file', `${task.out}: expected the job's folder with job.json (is it shared with this worker?); found none`);
    if (jobKey(spec) !== task.job) throw new LumenError('input', `${task.out}: holds job ${jobKey(spec)}; the queue entry is for job ${task.job}`);
    held?.job.dispose();
    held = undefined;
    const job = await options.prepare(spec);
    if (job.dataset.size !== spec.size) {
      job.dispose();
      throw new LumenError('input', `${spec.data}: the job was made for ${spec.size} rows; this worker's dataset has ${job.dataset.size}`);
    }
    held = { key: task.job, job };
    return job;
  };
  const worker = new Worker<ShardTask, ShardReceipt>(options.queue ?? DEFAULT_QUEUE, async (entry: Job<ShardTask>) => {
    const ctx = await contextFor(entry.data);
    log(`shard ${entry.data.shard.index} started (try ${entry.attemptsMade + 1})`);
    const rows = await explainShard(ctx, entry.data.shard);
    const receipt = await writeShard(entry.data.out, rows);
    log(`shard ${entry.data.shard.index} (${receipt.rows} rows) written`);
    return receipt;
  }, {
    connection: redisAddress(redis),
    concurrency: 1,
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.lockDuration ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 3,
  });
  worker.on('failed', (entry, err) => log(`shard ${entry?.data.shard.index ?? '?'} failed (try ${entry?.attemptsMade ?? '?'}): ${err.message}`));
  worker.on('error', (err) => log(`redis: ${err.message}`));
  return {
    async close() {
      await worker.close();
      held?.job.dispose();
      held = undefined;
    },
  };
}
