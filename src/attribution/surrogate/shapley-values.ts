import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type * as tf from '@tensorflow/tfjs';
import { coalitionEvaluator, type CoalitionEvaluator, type CoalitionOptions } from './coalition-evaluator.js';
import { surrogateMeta } from './surrogate-meta.js';

/** How exact Shapley values are summed: over the subsets of the other features, or over every ordering. */
export type ShapleyEnumeration = 'subsets' | 'permutations';

/** Options of `shapleyValues`. */
export interface ShapleyValuesOptions extends CoalitionOptions {
  /**
   * `'subsets'` (default): φ_j = Σ_{S ⊆ F∖{j}} |S|!(K−|S|−1)!/K! · (v(S ∪ {j}) − v(S)), K ≤ 20.
   * `'permutations'`: the mean over all K! orderings of j's marginal contribution when it joins
   * the features before it (Captum's ShapleyValues), K ≤ 10. Both evaluate each of the 2^K
   * coalitions once and give the same values.
   */
  readonly enumerate?: ShapleyEnumeration;
}

/** The most features each enumeration accepts (2^20 model rows; 10!·10 marginal contributions). */
export const SHAPLEY_MAX_FEATURES: Readonly<Record<ShapleyEnumeration, number>> = { subsets: 20, permutations: 10 };

/**
 * Exact Shapley values (Shapley, "A Value for n-Person Games", 1953; as attributions: Štrumbelj &
 * Kononenko, 2014) of the game v(S) = target score of the input with the features outside S set
 * to the baseline. Every scalar is a feature unless `featureMask` groups them; each scalar gets its
 * group's value (Captum's ShapleyValues). All 2^K coalitions of every example go through the model
 * `batchSize` rows per call. `meta.delta` is Σφ − (v(F) − v(∅)) (zero up to rounding: efficiency),
 * `meta.baseValue` v(∅) per example.
 */
export async function shapleyValues(model: Model, input: tf.Tensor, options: ShapleyValuesOptions = {}): Promise<Attribution> {
  const fn = 'shapleyValues';
  const how = options.enumerate ?? 'subsets';
  check(how === 'subsets' || how === 'permutations', 'option', () => `${fn}: enumerate must be 'subsets' or 'permutations'; found '${String(how)}'`);
  const game = await coalitionEvaluator(model, input, options, fn);
  try {
    const limit = SHAPLEY_MAX_FEATURES[how];
    const most = Math.max(...game.features);
    check(most <= limit, 'option', () =>
      `${fn}: exact Shapley values by ${how} take at most ${limit} features; found ${most} — group them with featureMask, or use shapley-value-sampling or kernel-shap`);
    const v = await allCoalitionValues(game);
    const phi = v.map((values, e) => (how === 'subsets' ? bySubsets(values, game.features[e]) : byPermutations(values, game.features[e])));
    const values = game.spread(phi);
    return makeAttribution('shapley-values', values, game.target.classes, surrogateMeta(game, phi, v.map((x) => x[0]), v.map((x) => x[x.length - 1]), options));
  } finally {
    game.dispose();
  }
}

/** v(S) for every coalition S (bit k of the index = feature k present) of every example, in one stream of rows. */
export async function allCoalitionValues(game: CoalitionEvaluator): Promise<Float64Array[]> {
  const counts = game.features.map((k) => 2 ** k);
  const rows = counts.reduce((a, b) => a + b, 0);
  const examples = new Int32Array(rows);
  const first = new Int32Array(rows); // the first row of each row's example
  let r = 0;
  for (let e = 0; e < game.n; e++) {
    examples.fill(e, r, r + counts[e]);
    first.fill(r, r, r + counts[e]);
    r += counts[e];
  }
  // Row r is coalition s = r − first[r] of its example: bit k of s says whether feature k is present.
  const scores = await game.evaluate(examples, (row, out) => {
    const s = row - first[row];
    for (let k = 0; k < game.features[examples[row]]; k++) out[k] = (s >> k) & 1;
  });
  const out: Float64Array[] = [];
  let offset = 0;
  for (const c of counts) {
    out.push(scores.slice(offset, offset + c));
    offset += c;
  }
  return out;
}

/** Shapley values from v over all 2^K coalitions by the subset formula. */
export function bySubsets(v: Float64Array, k: number): Float64Array {
  const weight = new Float64Array(k);
  for (let s = 0; s < k; s++) weight[s] = 1 / (k * binomial(k - 1, s));
  const phi = new Float64Array(k);
  for (let mask = 0; mask < v.length; mask++) {
    const size = popcount(mask);
    for (let j = 0; j < k; j++) {
      if (mask & (1 << j)) continue;
      phi[j] += weight[size] * (v[mask | (1 << j)] - v[mask]);
    }
  }
  return phi;
}

/** Shapley values from v over all 2^K coalitions as the mean marginal contribution over all K! orderings (Heap's algorithm). */
export function byPermutations(v: Float64Array, k: number): Float64Array {
  const phi = new Float64Array(k);
  const order = Array.from({ length: k }, (_, i) => i);
  const walk = (): void => {
    let cur = 0;
    for (const j of order) {
      phi[j] += v[cur | (1 << j)] - v[cur];
      cur |= 1 << j;
    }
  };
  const c = new Array<number>(k).fill(0);
  let count = 1;
  walk();
  for (let i = 1; i < k; ) {
    if (c[i] < i) {
      const a = i % 2 === 0 ? 0 : c[i];
      [order[a], order[i]] = [order[i], order[a]];
      walk();
      count++;
      c[i]++;
      i = 1;
    } else {
      c[i] = 0;
      i++;
    }
  }
  for (let j = 0; j < k; j++) phi[j] /= count;
  return phi;
}

/** The binomial coefficient C(n, r) in float64. */
export function binomial(n: number, r: number): number {
  if (r < 0 || r > n) return 0;
  let out = 1;
  for (let i = 1; i <= Math.min(r, n - r); i++) out = (out * (n - Math.min(r, n - r) + i)) / i;
  return out;
}

function popcount(x: number): number {
  let c = 0;
  while (x) {
    x &= x - 1;
    c++;
  }
  return c;
}
