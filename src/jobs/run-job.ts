import type { DatasetBatch } from '../core/dataset.js';
import { LumenError } from '../core/errors.js';
import { collectShards, type CollectedJob } from './collect-shards.js';
import { explainShard, type JobContext } from './explain-shard.js';
import { claimJobFolder, jobKey, type JobSpec } from './job-spec.js';
import { missingShards, readReceipts, removeStaleTemporaries, writeManifest, writeShard, type ShardReceipt } from './shard-files.js';
import { shardPlan, sliceShards, type Shard, type ShardSlice } from './shard-plan.js';

/** How far a job has come: rows and shards finished of those this run takes. */
export interface JobProgress {
  readonly rows: number;
  readonly totalRows: number;
  readonly shards: number;
  readonly totalShards: number;
}

/** Options of runJob. */
export interface RunJobOptions {
  /** Skip the shards already finished in the output folder (a rerun after a kill or a crash). */
  readonly resume?: boolean;
  /** Run only this slice of the shards (`--shard k/n`). */
  readonly slice?: ShardSlice;
  readonly onProgress?: (p: JobProgress) => void;
}

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
  const receipts = await readReceipts(out);
  const all = shardPlan(spec.size, spec.shardSize);
  const mine = sliceShards(all, options.slice);
  const finished = mine.filter((s) => receipts.has(s.index)).length;
  if (finished > 0 && !options.resume) {
    throw new LumenError('option', `${out}: ${finished} shard${finished === 1 ? '' : 's'} of this job ${finished === 1 ? 'is' : 'are'} already finished; pass --resume to finish the rest, or give another --out folder`);
  }
  await removeStaleTemporaries(out);
  const todo = missingShards(mine, receipts);
  const totalRows = todo.reduce((s, sh) => s + sh.end - sh.start, 0);
  let rows = 0;
  const ran: ShardReceipt[] = [];
  const feed = shardFeeds(ctx, todo);
  options.onProgress?.({ rows, totalRows, shards: 0, totalShards: todo.length });
  for (const shard of todo) {
    const result = await explainShard(ctx, shard, feed(shard), (n) => {
      rows += n;
      options.onProgress?.({ rows, totalRows, shards: ran.length, totalShards: todo.length });
    });
    const receipt = await writeShard(out, result);
    receipts.set(shard.index, receipt);
    ran.push(receipt);
    await writeManifest(out, { job: jobKey(spec), shards: all.length, finished: [...receipts.values()].sort((a, b) => a.shard - b.shard) });
    options.onProgress?.({ rows, totalRows, shards: ran.length, totalShards: todo.length });
  }
  const done = missingShards(all, receipts).length === 0;
  return { ran, skipped: finished, ...(done ? { collected: await collectShards(out) } : {}) };
}
