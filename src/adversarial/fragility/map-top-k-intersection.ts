import { check } from '../../core/errors.js';

/** Indices of the k largest values (ties broken by the lower index). */
export function topKIndices(values: ArrayLike<number>, k: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => values[b] - values[a] || a - b);
  return order.slice(0, k);
}

/**
 * Top-k intersection (Ghorbani, Abid & Zou, "Interpretation of Neural Networks is Fragile", 2019):
 * the share of the k most important positions of map `a` that are also among the k most important
 * of map `b` — 1 for the same top k, 0 for disjoint ones.
 */
export function mapTopKIntersection(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  check(a.length === b.length && a.length > 0, 'input', () => `mapTopKIntersection: maps must have the same non-zero length; found ${a.length} and ${b.length}`);
  check(Number.isInteger(k) && k >= 1 && k <= a.length, 'option', () => `mapTopKIntersection: k must be an integer in [1, ${a.length}]; found ${String(k)}`);
  const top = new Set(topKIndices(a, k));
  return topKIndices(b, k).filter((i) => top.has(i)).length / k;
}
