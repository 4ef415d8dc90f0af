import { sortedQuantile } from '../core/percentile.js';

/**
 * Anchors' discretisation of a numeric column: its distinct quartiles (numpy's linear percentiles
 * 25, 50, 75). A value's bin is the number of edges below it, so bin 0 is `x ≤ q1` and the last
 * bin `x > q3` (alibi's `Discretizer`).
 */
export function quartileEdges(column: ArrayLike<number>): number[] {
  const sorted = Float64Array.from(column).sort();
  const edges = [0.25, 0.5, 0.75].map((q) => sortedQuantile(sorted, q));
  return edges.filter((e, i) => i === 0 || e > edges[i - 1]);
}

/** The bin of `value` among ascending `edges`: how many edges lie strictly below it. */
export function binOf(value: number, edges: readonly number[]): number {
  let b = 0;
  while (b < edges.length && value > edges[b]) b++;
  return b;
}
