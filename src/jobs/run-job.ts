import type { DatasetBatch } from '../core/dataset.js';
import { LumenError } from '../core/errors.js';
import { collectShards, type CollectedJob } from './collect-shards.js';
import { explainShard, type JobContext } from './explain-shard.js';
import { claimJobFolder, type JobSpec } from './job-spec.js';
import { runShards, type ShardRunOptions } from './run-shards.js';
import { writeShard, type ShardReceipt } from './shard-files.js';
import type { Shard } from './shard-plan.js';

/** Options of runJob. */
export type RunJobOptions = ShardRunOptions;

/** What runJob did. */
export interface JobRun {
  readonly ran: readonly ShardReceipt[];
  /** Shards of this run's slice that were already finished. */
  readonly skipped: number;
  /** The merged results, when the run finished the whole job. */
  readonly collected?: CollectedJob;
}

/**
 * The rows of the todo shards from one pass over the dataset: batches of finished shards are read
 * and dropped, so the dataset is read once, in order, a batch at a time.
 */
function shardFeeds(ctx: JobContext, todo: readonly Shard[]): (shard: Shard) => AsyncIterable<DatasetBatch> {
  const source = ctx.dataset.batches(ctx.batchSize)[Symbol.asyncIterator]();
  return (shard) => ({
    async *[Symbol.asyncIterator]() {
      let got = 0;
      while (got < shard.end - shard.start) {
        const next = await source.next();
        if (next.done) return;
        const batch = next.value;
        if (batch.index[0] < shard.start) {
          batch.x.dispose();
          batch.y?.dispose();
          continue;
        }
        got += batch.index.length;
        yield batch;
      }
    },
  });
}

/**
 * Runs a dataset-scale explain job on this machine: the dataset is streamed in batches, each shard's
 * rows are written (JSONL and Parquet) and receipted durably, and the manifest of finished shards is
 * rewritten atomically after each. With `resume`, finished shards are skipped; a killed run loses at
 * most the shard it was in. When the run leaves no shard undone, the shards are merged (collectShards).
 */
export async function runJob(ctx: JobContext, spec: JobSpec, out: string, options: RunJobOptions = {}): Promise<JobRun> {
  if (ctx.dataset.size !== spec.size) throw new LumenError('input', `${spec.data}: the job was made for ${spec.size} rows; the dataset has ${ctx.dataset.size}`);
  await claimJobFolder(out, spec);
  const { ran, skipped, done } = await runShards<ShardReceipt>(out, spec, 'this job', options, (todo) => {
    const feed = shardFeeds(ctx, todo);
    return async (shard, addRows) => writeShard(out, await explainShard(ctx, shard, feed(shard), addRows));
  });
  return { ran, skipped, ...(done ? { collected: await collectShards(out) } : {}) };
}
