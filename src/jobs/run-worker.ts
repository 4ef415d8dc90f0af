import { Worker, type Job } from 'bullmq';
import { LumenError } from '../core/errors.js';
import { explainShard, type JobContext } from './explain-shard.js';
import { evaluateShard, isEvaluationJob, type EvaluationJobSpec, type EvaluationShardReceipt, type PreparedEvaluation } from './evaluation-job.js';
import { examplesShard, isExamplesJob, writeExamplesShard, type ExamplesJobSpec, type PreparedExamples } from './examples-job.js';
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
  /** Builds the model and dataset of an evaluation job (`lumen evaluate --redis`); without it such shards fail. */
  readonly prepareEvaluation?: (spec: EvaluationJobSpec) => Promise<PreparedEvaluation>;
  /** Builds the model, query and training sets of an examples job (`lumen examples --queries … --redis`); without it such shards fail. */
  readonly prepareExamples?: (spec: ExamplesJobSpec) => Promise<PreparedExamples>;
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
  type Held = { readonly kind: 'explain'; readonly job: PreparedJob }
    | { readonly kind: 'evaluate'; readonly job: PreparedEvaluation; readonly spec: EvaluationJobSpec }
    | { readonly kind: 'examples'; readonly job: PreparedExamples; readonly spec: ExamplesJobSpec };
  let held: { key: string; ctx: Held } | undefined;
  const log = options.log ?? (() => undefined);
  const contextFor = async (task: ShardTask): Promise<Held> => {
    if (held?.key === task.job) return held.ctx;
    const spec = await readJobSpec<JobSpec | EvaluationJobSpec | ExamplesJobSpec>(task.out);
    if (!spec) throw new LumenError('file', `${task.out}: expected the job's folder with job.json (is it shared with this worker?); found none`);
    if (jobKey(spec) !== task.job) throw new LumenError('input', `${task.out}: holds job ${jobKey(spec)}; the queue entry is for job ${task.job}`);
    held?.ctx.job.dispose();
    held = undefined;
    let ctx: Held;
    if (isEvaluationJob(spec)) {
      if (!options.prepareEvaluation) throw new LumenError('option', `${task.out}: an evaluation job; this worker runs explain jobs only`);
      ctx = { kind: 'evaluate', job: await options.prepareEvaluation(spec), spec };
    } else if (isExamplesJob(spec)) {
      if (!options.prepareExamples) throw new LumenError('option', `${task.out}: an examples job; this worker runs explain and evaluation jobs only`);
      ctx = { kind: 'examples', job: await options.prepareExamples(spec), spec };
    } else {
      ctx = { kind: 'explain', job: await options.prepare(spec) };
    }
    if (ctx.job.dataset.size !== spec.size) {
      ctx.job.dispose();
      throw new LumenError('input', `${spec.data}: the job was made for ${spec.size} rows; this worker's dataset has ${ctx.job.dataset.size}`);
    }
    held = { key: task.job, ctx };
    return ctx;
  };
  const worker = new Worker<ShardTask, ShardReceipt | EvaluationShardReceipt>(options.queue ?? DEFAULT_QUEUE, async (entry: Job<ShardTask>) => {
    const ctx = await contextFor(entry.data);
    log(`shard ${entry.data.shard.index} started (try ${entry.attemptsMade + 1})`);
    const receipt = ctx.kind === 'evaluate'
      ? await evaluateShard(ctx.job, ctx.spec, entry.data.out, entry.data.shard)
      : ctx.kind === 'examples'
        ? await writeExamplesShard(entry.data.out, await examplesShard(ctx.job, ctx.spec, entry.data.shard))
        : await writeShard(entry.data.out, await explainShard(ctx.job, entry.data.shard));
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
      held?.ctx.job.dispose();
      held = undefined;
    },
  };
}
