import type { MetricDirection } from './result.js';

/**
 * Ranks 1 … k of `values` in a metric's direction (1 = best; 'higher' ranks the largest first);
 * NaN and infinite values rank last, ties keep their order.
 */
export function rankScores(values: readonly number[], direction: MetricDirection): number[] {
  const key = (v: number): number => (Number.isFinite(v) ? (direction === 'higher' ? -v : v) : Infinity);
  const order = values.map((_, i) => i).sort((a, b) => key(values[a]) - key(values[b]) || a - b);
  const out = new Array<number>(values.length);
  order.forEach((i, r) => (out[i] = r + 1));
  return out;
}
