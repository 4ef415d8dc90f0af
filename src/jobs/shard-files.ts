import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { LumenError } from '../core/errors.js';
import type { ShardRows } from './explain-shard.js';
import { shardJsonl } from './shard-jsonl.js';
import { shardParquet } from './shard-parquet.js';
import { shardName, type Shard } from './shard-plan.js';
import { writeFileDurable } from './write-file-durable.js';

/** The folder of a job's shard outputs, inside its output folder. */
export const SHARDS_DIR = 'shards';

/** A finished shard's receipt: written last, after both outputs are durable, so it is the commit point. */
export interface ShardReceipt {
  readonly shard: number;
  readonly start: number;
  readonly end: number;
  readonly rows: number;
  /** sha-256 of the shard's JSONL and Parquet files. */
  readonly jsonl: string;
  readonly parquet: string;
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Short for a hex sha-256 of bytes or text (receipts name their files' digests). */
export const sha256Hex = sha256;

/** Where shard `index`'s file of kind `ext` lives. */
export function shardFile(out: string, index: number, ext: 'jsonl' | 'parquet' | 'done.json'): string {
  return path.join(out, SHARDS_DIR, `${shardName(index)}.${ext}`);
}

/**
 * Writes a shard's rows durably (JSONL, then Parquet, then the receipt, each by temp file + fsync +
 * rename). Writing the same shard again replaces its files whole, so a shard run twice (a retried
 * or stalled job) still gives each row once.
 */
export async function writeShard(out: string, rows: ShardRows): Promise<ShardReceipt> {
  const jsonl = shardJsonl(rows);
  const parquet = shardParquet(rows);
  const { index, start, end } = rows.shard;
  await writeFileDurable(shardFile(out, index, 'jsonl'), jsonl);
  await writeFileDurable(shardFile(out, index, 'parquet'), parquet);
  const receipt: ShardReceipt = { shard: index, start, end, rows: rows.ids.length, jsonl: sha256(jsonl), parquet: sha256(parquet) };
  await writeFileDurable(shardFile(out, index, 'done.json'), `${JSON.stringify(receipt)}\n`);
  return receipt;
}

/** The receipts of the finished shards in `out`, by shard index. */
export async function readReceipts<R extends { readonly shard: number } = ShardReceipt>(out: string): Promise<Map<number, R>> {
  const dir = path.join(out, SHARDS_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return new Map();
  }
  const receipts = new Map<number, R>();
  for (const name of names.filter((n) => /^shard-\d+\.done\.json$/.test(n)).sort()) {
    const file = path.join(dir, name);
    try {
      const r = JSON.parse(await readFile(file, 'utf8')) as R;
      receipts.set(r.shard, r);
    } catch (e) {
      throw new LumenError('file', `${file}: expected a shard receipt in JSON; ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return receipts;
}

/** Reads a finished shard's file and checks it against its receipt (a file changed after it was written is a LumenError). */
export async function readShardFile(out: string, receipt: { readonly shard: number; readonly jsonl?: string; readonly parquet?: string }, ext: 'jsonl' | 'parquet'): Promise<Uint8Array> {
  const file = shardFile(out, receipt.shard, ext);
  const bytes = new Uint8Array(await readFile(file));
  if (receipt[ext] === undefined || sha256(bytes) !== receipt[ext]) throw new LumenError('file', `${file}: its sha-256 differs from the shard's receipt; expected ${receipt[ext]} (rerun the shard: delete ${shardFile(out, receipt.shard, 'done.json')} and resume)`);
  return bytes;
}

/** Removes temporary files a killed writer left in the shard folder. */
export async function removeStaleTemporaries(out: string): Promise<void> {
  const dir = path.join(out, SHARDS_DIR);
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.endsWith('.tmp')).map((n) => rm(path.join(dir, n), { force: true })));
}

/** The manifest of a job folder: the job's key, its shard count and the finished shards' receipts. */
export interface JobManifest<R extends { readonly shard: number } = ShardReceipt> {
  readonly job: string;
  readonly shards: number;
  readonly finished: readonly R[];
}

/** The file in a job's output folder that lists its finished shards. */
export const MANIFEST_FILE = 'manifest.json';

/** Writes `<out>/manifest.json` atomically (temp file + fsync + rename). */
export async function writeManifest<R extends { readonly shard: number }>(out: string, manifest: JobManifest<R>): Promise<void> {
  await writeFileDurable(path.join(out, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
}

/** Which shards of `all` have no receipt in `out`. */
export function missingShards(all: readonly Shard[], receipts: ReadonlyMap<number, unknown>): Shard[] {
  return all.filter((s) => !receipts.has(s.index));
}
