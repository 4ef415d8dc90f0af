import type * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import { DEFAULT_SEED, Rng } from '../../core/random.js';
import { coalitionEvaluator, type CoalitionOptions } from './coalition-evaluator.js';
import { surrogateMeta } from './surrogate-meta.js';

/** Options of `shapleyValueSampling`. */
export interface ShapleyValueSamplingOptions extends CoalitionOptions {
  /** Random feature orderings per example; default 25 (Captum's n_samples). Rounded up to even when antithetic. */
  readonly samples?: number;
  /** Draw orderings in antithetic pairs (an ordering and its reverse); default true. */
  readonly antithetic?: boolean;
}

/**
 * Shapley values by permutation sampling (Castro, Gómez & Tejada, "Polynomial calculation of the
 * Shapley value based on sampling", 2009; Štrumbelj & Kononenko, 2014; Captum's
 * ShapleyValueSampling): φ_j is the mean, over seeded random orderings of the K features, of v(P ∪
 * {j}) − v(P) where P holds the features before j. With `antithetic`, each ordering comes with its
 * reverse (Mitchell et al., "Sampling Permutations for Shapley Value Estimation", JMLR 2022), which
 * cancels much of the variance. Unbiased; efficiency holds exactly for every ordering. Each ordering
 * costs K − 1 model rows (∅ and F are shared), sent `batchSize` rows per call across examples.
 */
export async function shapleyValueSampling(model: Model, input: tf.Tensor, options: ShapleyValueSamplingOptions = {}): Promise<Attribution> {
  const fn = 'shapleyValueSampling';
  const antithetic = options.antithetic ?? true;
  const asked = options.samples ?? 25;
  check(Number.isInteger(asked) && asked >= 1, 'option', () => `${fn}: samples must be a positive integer; found ${asked}`);
  const samples = antithetic ? 2 * Math.ceil(asked / 2) : asked;
  const game = await coalitionEvaluator(model, input, options, fn);
  try {
    const rng = new Rng(options.seed ?? DEFAULT_SEED);
    const orders = game.features.map((k) => {
      const out: Int32Array[] = [];
      while (out.length < samples) {
        const p = rng.permutation(k);
        out.push(p);
        if (antithetic) out.push(p.slice().reverse());
      }
      return out;
    });
    // Rows per example: ∅, F, then the K − 1 proper prefixes of every ordering.
    const counts = game.features.map((k) => 2 + samples * (k - 1));
    const examples = new Int32Array(counts.reduce((a, b) => a + b, 0));
    const first = new Int32Array(examples.length);
    let r = 0;
    orders.forEach((_, e) => {
      examples.fill(e, r, r + counts[e]);
      first.fill(r, r, r + counts[e]);
      r += counts[e];
    });
    // Coalitions are made batch by batch from the orderings: memory O(samples·K), not O(samples·K²).
    const v = await game.evaluate(examples, (row, out) => {
      const e = examples[row];
      const i = row - first[row];
      const k = game.features[e];
      if (i === 0) return; // ∅
      if (i === 1) return void out.fill(1, 0, k); // F
      const order = orders[e][Math.floor((i - 2) / (k - 1))];
      const t = ((i - 2) % (k - 1)) + 1;
      for (let q = 0; q < t; q++) out[order[q]] = 1;
    });
    const phi: Float64Array[] = [];
    const base: number[] = [];
    const full: number[] = [];
    r = 0;
    orders.forEach((list, e) => {
      const k = game.features[e];
      const p = new Float64Array(k);
      let row = r + 2;
      for (const order of list) {
        let prev = v[r];
        for (let t = 0; t < k; t++) {
          const cur = t === k - 1 ? v[r + 1] : v[row++];
          p[order[t]] += cur - prev;
          prev = cur;
        }
      }
      for (let j = 0; j < k; j++) p[j] /= list.length;
      phi.push(p);
      base.push(v[r]);
      full.push(v[r + 1]);
      r += counts[e];
    });
    const values = game.spread(phi);
    return makeAttribution('shapley-value-sampling', values, game.target.classes, surrogateMeta(game, phi, base, full, options, { permutations: samples }));
  } finally {
    game.dispose();
  }
}
