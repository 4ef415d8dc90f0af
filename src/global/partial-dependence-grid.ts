import { check } from '../core/errors.js';
import { mquantiles } from './mquantiles.js';
import { linspace, uniqueSorted } from './numpy-percentile.js';

/**
 * One feature's partial-dependence grid as scikit-learn's `partial_dependence` makes it: the
 * feature's distinct values when it is categorical or has fewer than `resolution` of them, else
 * `resolution` evenly spaced points between its `percentiles` (by `mquantiles`, α = β = 0.4, not
 * numpy's linear percentile). Percentiles too close to tell apart are a LumenError, as in scikit-learn.
 */
export function partialDependenceGrid(values: ArrayLike<number>, options: { readonly resolution: number; readonly percentiles: readonly [number, number]; readonly categorical?: boolean }, fn = 'partialDependenceGrid'): number[] {
  const { resolution, percentiles } = options;
  check(Number.isInteger(resolution) && resolution >= 2, 'option', () => `${fn}: gridResolution must be an integer ≥ 2; found ${resolution}`);
  const [lo, hi] = percentiles;
  check(percentiles.length === 2 && lo >= 0 && hi <= 1 && lo < hi, 'option', () => `${fn}: percentiles must be [low, high] with 0 ≤ low < high ≤ 1; found [${percentiles}]`);
  const unique = uniqueSorted(values);
  if (options.categorical || unique.length < resolution) return unique;
  const [qLo, qHi] = mquantiles(unique.length === values.length ? unique : Float64Array.from(values).sort(), [lo, hi]);
  check(!closeTo(qLo, qHi), 'option', () => `${fn}: the percentiles [${percentiles}] of the feature are too close to make a grid (${qLo}, ${qHi}); widen them or pass a grid`);
  return linspace(qLo, qHi, resolution);
}

/** numpy.allclose's test for two numbers (rtol 1e-5, atol 1e-8). */
function closeTo(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b);
}
