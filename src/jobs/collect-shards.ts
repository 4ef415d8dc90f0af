import * as arrow from 'apache-arrow';
import path from 'node:path';
import { LumenError } from '../core/errors.js';
import { jobKey, readJobSpec } from './job-spec.js';
import { missingShards, readReceipts, readShardFile, writeManifest } from './shard-files.js';
import { readParquetTable, tableParquet } from './shard-parquet.js';
import { shardPlan } from './shard-plan.js';
import { writeFileDurable } from './write-file-durable.js';

/** The merged outputs of a job folder. */
export interface CollectedJob {
  readonly rows: number;
  readonly shards: number;
  readonly jsonl: string;
  readonly parquet: string;
}

/** The merged files collectShards writes in a job folder. */
export const RESULTS_JSONL = 'results.jsonl';
export const RESULTS_PARQUET = 'results.parquet';

/**
 * Merges a finished job's shard outputs, in shard order, into `results.jsonl` and `results.parquet`
 * (each row once: one file per shard, checked against its receipt) and rewrites the manifest.
 * Unfinished shards are a LumenError naming them.
 */
export async function collectShards(out: string): Promise<CollectedJob> {
  const spec = await readJobSpec(out);
  if (!spec) throw new LumenError('file', `${out}: expected a job folder (job.json); found none`);
  if ((spec as { kind?: string }).kind === 'evaluate') throw new LumenError('file', `${out}: holds an evaluation job; lumen evaluate --resume --out ${out} finishes and merges it`);
  const all = shardPlan(spec.size, spec.shardSize);
  const receipts = await readReceipts(out);
  const missing = missingShards(all, receipts);
  if (missing.length > 0) {
    const names = missing.slice(0, 10).map((s) => s.index).join(', ');
    throw new LumenError('input', `${out}: ${missing.length} of ${all.length} shards are not finished (${names}${missing.length > 10 ? ', …' : ''}); run the workers or lumen explain --resume first`);
  }
  const ordered = all.map((s) => receipts.get(s.index)!);
  const jsonl: Uint8Array[] = [];
  const tables: arrow.Table[] = [];
  for (const r of ordered) {
    jsonl.push(await readShardFile(out, r, 'jsonl'));
    tables.push(readParquetTable(await readShardFile(out, r, 'parquet')));
  }
  const merged = new Uint8Array(jsonl.reduce((s, b) => s + b.length, 0));
  jsonl.reduce((at, b) => (merged.set(b, at), at + b.length), 0);
  const first = tables[0];
  const table = new arrow.Table(first.schema, tables.flatMap((t) => t.batches));
  const files = { jsonl: path.join(out, RESULTS_JSONL), parquet: path.join(out, RESULTS_PARQUET) };
  await writeFileDurable(files.jsonl, merged);
  await writeFileDurable(files.parquet, tableParquet(table));
  await writeManifest(out, { job: jobKey(spec), shards: all.length, finished: ordered });
  return { rows: ordered.reduce((s, r) => s + r.rows, 0), shards: all.length, ...files };
}
