/** Percentiles with linear interpolation between order statistics (numpy's default), written once. */
import { check } from './errors.js';

/** The q-quantile (q in [0, 1]) of values already sorted ascending, linearly interpolated. */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < sorted.length ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/**
 * The `p`-th percentile (0–100) of `values`, linearly interpolated between order statistics
 * (numpy's default): `percentile([1, 2, 3, 4], 50)` is 2.5.
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  check(typeof p === 'number' && p >= 0 && p <= 100, 'option', () => `percentile: p must be in 0–100; found ${p}`);
  check(values.length > 0, 'input', () => 'percentile: no values');
  return sortedQuantile(Float64Array.from(values).sort(), p / 100);
}
