import { numpyPercentile, linspace, uniqueSorted } from './numpy-percentile.js';

/**
 * The interval of each value on grid `q` as alibi bins it: numpy's `searchsorted(q, x, 'left')`
 * (a value equal to an edge belongs to the interval it closes), with the minimum moved into
 * interval 1. Intervals are numbered 1 … q.length − 1.
 */
export function aleIntervals(q: readonly number[], values: ArrayLike<number>): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (q[mid] < values[i]) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo === 0 ? 1 : lo;
  }
  return out;
}

/** Points per interval 0 … q.length (index 0 is always empty after `aleIntervals`), numpy's `bincount`. */
function intervalCounts(intervals: Int32Array, length: number): number[] {
  const counts = new Array<number>(length).fill(0);
  for (const k of intervals) counts[k] = (counts[k] ?? 0) + 1;
  return counts;
}

/** The distinct values of `n` evenly spaced percentiles of the sorted values (alibi's `get_quantiles`). */
function quantileGrid(sorted: Float64Array, n: number): number[] {
  return uniqueSorted(numpyPercentile(sorted, linspace(0, 100, n)));
}

/**
 * alibi's adaptive ALE grid: the number of quantiles found by bisection on [0, N) for the first n
 * whose bins do not all hold more than `minBinPoints` values (a strict `>`, as alibi tests), minus
 * one; the grid is that many quantiles' distinct values. The test is not monotonic in n, so (as
 * alibi warns) this is a heuristic, reproduced as it is.
 */
export function adaptiveAleGrid(values: ArrayLike<number>, minBinPoints: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const satisfied = (n: number): boolean => {
    const q = quantileGrid(sorted, n);
    const counts = intervalCounts(aleIntervals(q, sorted), Math.max(q.length, 1));
    return counts.slice(1).every((c) => c > minBinPoints);
  };
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (satisfied(mid)) lo = mid + 1;
    else hi = mid;
  }
  return quantileGrid(sorted, lo - 1);
}

/**
 * A caller's ALE grid as alibi's `ale_num` adjusts it: sorted; clipped to the data's range, keeping
 * the nearest grid point at or beyond each end when the grid reaches past the data; the minimum and
 * maximum added when the grid does not cover them; and intervals holding no value merged with the
 * next (their right edge dropped). `notes` says what was changed, as alibi's warnings do.
 */
export function customAleGrid(values: ArrayLike<number>, grid: readonly number[]): { grid: number[]; notes: string[] } {
  const notes: string[] = [];
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  let q = [...grid].sort((a, b) => a - b);
  if (min > q[0]) {
    let idx = 0;
    for (let i = 0; i < q.length; i++) if (q[i] <= min) idx = i;
    if (idx !== 0) notes.push('empty leading bins removed');
    min = q[idx];
  }
  if (max < q[q.length - 1]) {
    let idx = q.length - 1;
    for (let i = q.length - 1; i >= 0; i--) if (q[i] >= max) idx = i;
    if (idx !== q.length - 1) notes.push('empty ending bins removed');
    max = q[idx];
  }
  q = uniqueSorted(q.map((v) => Math.min(Math.max(v, min), max)));
  if (q[0] > min) {
    q.unshift(min);
    notes.push('minimum added to the grid');
  }
  if (q[q.length - 1] < max) {
    q.push(max);
    notes.push('maximum added to the grid');
  }
  const counts = intervalCounts(aleIntervals(q, values), q.length).slice(1);
  if (counts.some((c) => c === 0)) {
    const drop = new Set(counts.flatMap((c, i) => (c === 0 ? [i + 1] : [])));
    q = q.filter((_, i) => !drop.has(i));
    notes.push('empty bins merged');
  }
  return { grid: q, notes };
}
