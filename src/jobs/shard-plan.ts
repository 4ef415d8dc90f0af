import { check, LumenError } from '../core/errors.js';

/** One slice of a job: rows `[start, end)` of the dataset, numbered `index` from 0. */
export interface Shard {
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

/** Rows per shard when a job does not say. */
export const DEFAULT_SHARD_SIZE = 256;

/** A dataset of `size` rows cut into shards of `shardSize` rows (the last may be shorter). */
export function shardPlan(size: number, shardSize: number): Shard[] {
  check(Number.isInteger(size) && size >= 1, 'input', () => `shardPlan: expected a dataset of at least one row; found ${size}`);
  check(Number.isInteger(shardSize) && shardSize >= 1, 'option', () => `shardPlan: shardSize must be a positive integer; found ${shardSize}`);
  const shards: Shard[] = [];
  for (let start = 0, index = 0; start < size; start += shardSize, index++) shards.push({ index, start, end: Math.min(size, start + shardSize) });
  return shards;
}

/** A `--shard k/n` slice: this run takes every shard whose index is k − 1 modulo n. */
export interface ShardSlice {
  readonly k: number;
  readonly n: number;
}

/** Parses `--shard k/n` (1 ≤ k ≤ n). */
export function parseShardSlice(text: string): ShardSlice {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n) throw new LumenError('option', `--shard: expected k/n with 1 ≤ k ≤ n (e.g. 2/4); found '${text}'`);
  return { k, n };
}

/** The shards of `shards` that slice `k/n` takes. */
export function sliceShards(shards: readonly Shard[], slice?: ShardSlice): Shard[] {
  return slice ? shards.filter((s) => s.index % slice.n === slice.k - 1) : [...shards];
}

/** A shard's file stem: `shard-00042`. */
export function shardName(index: number): string {
  return `shard-${String(index).padStart(5, '0')}`;
}

/**
 * The seed of batch `batch` of shard `shard` in a job seeded `seed`: a fixed mix (so a shard draws
 * the same numbers whichever process runs it, and no two batches share a stream).
 */
export function shardSeed(seed: number, shard: number, batch: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const v of [shard, batch]) {
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h % 2147483647;
}
