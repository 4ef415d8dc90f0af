import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { AttackExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { elasticNetFista, elasticNetSettings, type ElasticNetOptions } from './elastic-net-fista.js';
import { argMax, outputGradient, predictProbabilities } from './output-gradient.js';
import { marginLoss, meetsMargin, networkTermsGradient } from './reconstruction-terms.js';

/** Options of `contrastiveExplanation`, with alibi's CEM defaults. */
export interface ContrastiveOptions extends ElasticNetOptions {
  /** 'pn' pertinent negative (what must be absent: x + δ flips the class) or 'pp' pertinent positive (what suffices: δ alone keeps it). Default 'pn'. */
  readonly mode?: 'pn' | 'pp';
  /** Confidence margin κ on class probabilities (default 0). */
  readonly kappa?: number;
  /** Weight γ of the autoencoder term ‖z − AE(z)‖²₂ (default 0; needs `autoencoder`). */
  readonly gamma?: number;
  /** A differentiable autoencoder of the inputs (e.g. models/mnist-autoencoder). */
  readonly autoencoder?: Model;
  /** [min, max] of every input value (default alibi's [−1e10, 1e10]). */
  readonly featureRange?: readonly [number, number];
  /** The value that means "absent" for pertinent positives (default 0, clipped to the range). */
  readonly absentValue?: number;
  /** Per-iteration progress: c step, iteration. */
  readonly onIteration?: (cStep: number, iteration: number) => void;
}

/**
 * The Contrastive Explanations Method (Dhurandhar et al., Explanations based on the Missing:
 * Towards Contrastive Explanations with Pertinent Negatives, 2018), as alibi's CEM: for each input
 * x₀ of `x` `[N, ...inputShape]` with predicted class t₀,
 *   pertinent negative: min_δ c·max(0, p_t₀(x₀+δ) − max_{i≠t₀} p_i(x₀+δ) + κ) + β‖δ‖₁ + ‖δ‖²₂ + γ‖x₀+δ − AE(x₀+δ)‖²₂,
 *     x₀ + δ in the feature range (the smallest addition that changes the class);
 *   pertinent positive: min_δ c·max(0, max_{i≠t₀} p_i(δ) − p_t₀(δ) + κ) + β‖δ‖₁ + ‖δ‖²₂ + γ‖δ − AE(δ)‖²₂,
 *     δ between the absent value and x₀ (the least part of x₀ that alone keeps the class),
 * by FISTA with shrinkage-thresholding and the c search (elastic-net-fista.ts), p the model's class
 * probabilities; the valid iterate (alibi's κ-adjusted check) with least β‖δ‖₁ + ‖δ‖²₂ is kept.
 * All inputs optimise together (one gradient call and one check per iteration); gradients through
 * the model or by batched central differences for black boxes; the autoencoder must be
 * differentiable. Returns kind 'attack': `inputs` the PN (x₀ + δ) or PP (δ) per input with the
 * model's `predictions` on them, `norms` ‖δ‖₁; meta: mode, found, c, cTried, distance (β·L1 + L2).
 */
export async function contrastiveExplanation(model: Model, x: tf.Tensor, options: ContrastiveOptions = {}): Promise<AttackExplanation> {
  const fn = 'contrastiveExplanation';
  const mode = options.mode ?? 'pn';
  check(mode === 'pn' || mode === 'pp', 'option', () => `${fn}: mode must be 'pn' or 'pp'; found ${JSON.stringify(mode)}`);
  const shape = x.shape.slice(1);
  check(x.rank >= 2 && x.shape[0] >= 1 && shape.join() === model.inputShape.join(), 'shape', () => `${fn}: inputs must be [N, ${model.inputShape}] like the model's; found [${x.shape}]`);
  const kappa = options.kappa ?? 0;
  const gamma = options.gamma ?? 0;
  const [lo, hi] = options.featureRange ?? [-1e10, 1e10];
  check(Number.isFinite(kappa) && kappa >= 0, 'option', () => `${fn}: kappa must be ≥ 0; found ${kappa}`);
  check(Number.isFinite(gamma) && gamma >= 0, 'option', () => `${fn}: gamma must be ≥ 0; found ${gamma}`);
  check(gamma === 0 || options.autoencoder !== undefined, 'option', () => `${fn}: gamma ${gamma} needs an autoencoder`);
  check(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi, 'option', () => `${fn}: featureRange must be [min, max] with min ≤ max; found [${lo}, ${hi}]`);
  const settings = elasticNetSettings(options, fn);
  const n = x.shape[0];
  const d = shape.reduce((a, b) => a * b, 1);
  const x0 = Float32Array.from(await x.data());
  const p0 = await predictProbabilities(model, x0, n, shape);
  const original = p0.map(argMax);
  const k = p0[0].length;
  const absent = Math.min(hi, Math.max(lo, options.absentValue ?? 0));
  const centre = mode === 'pn' ? x0 : new Float32Array(n * d).fill(absent);
  const lower = new Float32Array(n * d);
  const upper = new Float32Array(n * d);
  for (let p = 0; p < n * d; p++) {
    const v = Math.min(hi, Math.max(lo, x0[p]));
    lower[p] = mode === 'pn' ? lo : Math.min(absent, v);
    upper[p] = mode === 'pn' ? hi : Math.max(absent, v);
  }
  const marginMode = mode === 'pn' ? 'leave' : 'keep';
  const result = await elasticNetFista({
    n, d, centre, lower, upper, onIteration: options.onIteration,
    gradient: async (y, c) => {
      const g = await outputGradient(model, y, n, shape, marginLoss(original, c, kappa, marginMode, k));
      const net = networkTermsGradient(y, n, shape, { autoencoder: options.autoencoder, gamma }, fn);
      if (net) for (let p = 0; p < g.length; p++) g[p] += net[p];
      return g;
    },
    valid: async (z) => (await predictProbabilities(model, z, n, shape)).map((p, i) => meetsMargin(p, original[i], kappa, marginMode)),
  }, settings, fn);
  const predictions = (await predictProbabilities(model, result.best, n, shape)).map(argMax);
  const norms = Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = i * d; j < (i + 1) * d; j++) s += Math.abs(result.best[j] - centre[j]);
    return s;
  });
  return {
    kind: 'attack', method: mode === 'pn' ? 'cem-pn' : 'cem-pp', shape, inputs: Array.from(result.best), originalPredictions: original, predictions, norms,
    meta: {
      mode, kappa, beta: settings.beta, gamma, found: result.found, c: result.c, cTried: result.cTried,
      distance: result.distance, absentValue: absent, modelCalls: result.modelCalls + 2,
    },
  };
}
