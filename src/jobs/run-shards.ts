import { LumenError } from '../core/errors.js';
import { jobKey } from './job-spec.js';
import { missingShards, readReceipts, removeStaleTemporaries, writeManifest } from './shard-files.js';
import { shardPlan, sliceShards, type Shard, type ShardSlice } from './shard-plan.js';

/** How far a job has come: rows and shards finished of those this run takes. */
export interface JobProgress {
  readonly rows: number;
  readonly totalRows: number;
  readonly shards: number;
  readonly totalShards: number;
}

/** The options every job kind takes on this machine. */
export interface ShardRunOptions {
  /** Skip the shards already finished in the output folder (a rerun after a kill or a crash). */
  readonly resume?: boolean;
  /** Run only this slice of the shards (`--shard k/n`). */
  readonly slice?: ShardSlice;
  readonly onProgress?: (p: JobProgress) => void;
}

/** What runShards did: the receipts of the shards it ran, how many of its slice were already finished, and whether no shard of the job is left. */
export interface ShardRun<R> {
  readonly ran: readonly R[];
  readonly skipped: number;
  readonly done: boolean;
}

/**
 * Runs a claimed job folder's missing shards in order, the loop every job kind shares: finished
 * shards of the slice are refused without `resume` (naming `what`, e.g. "this job"), stale
 * temporaries removed, each shard run by `runShard` (which writes its files and receipt durably and
 * may report rows as it goes through `addRows`), and the manifest rewritten after each shard.
 * `prepare` sees the shards to run before the first starts (e.g. to stream the dataset once).
 */
export async function runShards<R extends { readonly shard: number; readonly rows: number }>(
  out: string,
  spec: { readonly size: number; readonly shardSize: number },
  what: string,
  options: ShardRunOptions,
  prepare: (todo: readonly Shard[]) => (shard: Shard, addRows: (n: number) => void) => Promise<R>,
): Promise<ShardRun<R>> {
  const receipts = await readReceipts<R>(out);
  const all = shardPlan(spec.size, spec.shardSize);
  const mine = sliceShards(all, options.slice);
  const finished = mine.filter((s) => receipts.has(s.index)).length;
  if (finished > 0 && !options.resume) {
    throw new LumenError('option', `${out}: ${finished} shard${finished === 1 ? '' : 's'} of ${what} ${finished === 1 ? 'is' : 'are'} already finished; pass --resume to finish the rest, or give another --out folder`);
  }
  await removeStaleTemporaries(out);
  const todo = missingShards(mine, receipts);
  const totalRows = todo.reduce((s, sh) => s + sh.end - sh.start, 0);
  const runShard = prepare(todo);
  const ran: R[] = [];
  let rows = 0;
  const report = (): void => options.onProgress?.({ rows, totalRows, shards: ran.length, totalShards: todo.length });
  report();
  for (const shard of todo) {
    const before = rows;
    const receipt = await runShard(shard, (n) => {
      rows += n;
      report();
    });
    rows = before + receipt.rows;
    receipts.set(shard.index, receipt);
    ran.push(receipt);
    await writeManifest(out, { job: jobKey(spec), shards: all.length, finished: [...receipts.values()].sort((a, b) => a.shard - b.shard) });
    report();
  }
  return { ran, skipped: finished, done: missingShards(all, receipts).length === 0 };
}
