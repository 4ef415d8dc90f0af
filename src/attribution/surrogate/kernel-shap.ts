import type * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import { DEFAULT_SEED, Rng } from '../../core/random.js';
import { coalitionEvaluator, type CoalitionOptions } from './coalition-evaluator.js';
import { shapleyKernelCoalitions, type WeightedCoalitions } from './coalition-sampler.js';
import { surrogateMeta } from './surrogate-meta.js';
import { weightedLinearFit } from './weighted-linear-fit.js';

/** Options of `kernelShap`. */
export interface KernelShapOptions extends CoalitionOptions {
  /** Coalitions evaluated per example besides ∅ and F; default 2K + 2048 (SHAP's). ≥ 2^K − 2 enumerates them all (exact). */
  readonly samples?: number;
  /** Add each sampled coalition's complement (paired sampling, Covert & Lee 2021); default true. */
  readonly paired?: boolean;
}

/**
 * KernelSHAP (Lundberg & Lee, "A Unified Approach to Interpreting Model Predictions", NeurIPS 2017):
 * the Shapley values of v(S) (the target score with the features outside S set to the baseline) as
 * the weighted least-squares fit of v(z) − v(∅) ≈ z·φ under the Shapley kernel π(z), with the
 * efficiency constraint Σφ = v(F) − v(∅) enforced exactly (one coefficient eliminated). Coalitions are
 * all enumerated when `samples` ≥ 2^K − 2 (then φ are the exact Shapley values), else SHAP's scheme:
 * complete sizes while the budget allows, then seeded paired sampling. All examples' coalitions
 * go through the model `batchSize` rows per call. `meta.exact` says whether every coalition was used.
 */
export async function kernelShap(model: Model, input: tf.Tensor, options: KernelShapOptions = {}): Promise<Attribution> {
  const fn = 'kernelShap';
  check(options.samples === undefined || (Number.isInteger(options.samples) && options.samples >= 1), 'option', () =>
    `${fn}: samples must be a positive integer; found ${options.samples}`);
  const game = await coalitionEvaluator(model, input, options, fn);
  try {
    const rng = new Rng(options.seed ?? DEFAULT_SEED);
    const plans = game.features.map((k) => (k >= 2 ? shapleyKernelCoalitions(k, options.samples ?? 2 * k + 2048, rng, options.paired ?? true) : null));
    const counts = plans.map((p) => 2 + (p?.count ?? 0));
    const examples = new Int32Array(counts.reduce((a, b) => a + b, 0));
    const coalitions = new Uint8Array(examples.length * game.stride);
    let r = 0;
    plans.forEach((plan, e) => {
      const k = game.features[e];
      examples.fill(e, r, r + counts[e]);
      coalitions.fill(1, (r + 1) * game.stride, (r + 1) * game.stride + k); // row r: ∅, row r + 1: F
      for (let i = 0; i < (plan?.count ?? 0); i++) coalitions.set((plan as WeightedCoalitions).rows.subarray(i * k, (i + 1) * k), (r + 2 + i) * game.stride);
      r += counts[e];
    });
    const v = await game.evaluate(examples, coalitions);
    const phi: Float64Array[] = [];
    const base: number[] = [];
    const full: number[] = [];
    r = 0;
    plans.forEach((plan, e) => {
      base.push(v[r]);
      full.push(v[r + 1]);
      phi.push(constrainedFit(plan, v.subarray(r + 2, r + counts[e]), v[r], v[r + 1], game.features[e]));
      r += counts[e];
    });
    const values = game.spread(phi);
    return makeAttribution('kernel-shap', values, game.target.classes, surrogateMeta(game, phi, base, full, options, {
      exact: plans.map((p) => p === null || p.exact),
      coalitions: plans.map((p) => p?.count ?? 0),
    }));
  } finally {
    game.dispose();
  }
}

/**
 * argmin_φ Σ_z π(z) (v(z) − v∅ − z·φ)² subject to Σφ = vF − v∅: φ_K = Δ − Σ_{j<K} φ_j substituted,
 * the K − 1 others fitted to v(z) − v∅ − z_K·Δ on columns z_j − z_K (no intercept).
 */
export function constrainedFit(plan: WeightedCoalitions | null, v: ArrayLike<number>, v0: number, vF: number, k: number): Float64Array {
  const delta = vF - v0;
  if (plan === null || k === 1) return Float64Array.of(delta);
  const m = plan.count;
  const x = new Float64Array(m * (k - 1));
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const last = plan.rows[i * k + k - 1];
    for (let j = 0; j < k - 1; j++) x[i * (k - 1) + j] = plan.rows[i * k + j] - last;
    y[i] = v[i] - v0 - last * delta;
  }
  const fit = weightedLinearFit(x, y, plan.weights, k - 1, { intercept: false });
  const phi = new Float64Array(k);
  let sum = 0;
  for (let j = 0; j < k - 1; j++) sum += phi[j] = fit.coef[j];
  phi[k - 1] = delta - sum;
  return phi;
}
