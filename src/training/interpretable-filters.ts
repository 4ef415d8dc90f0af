/**
 * The filter loss of "Interpretable Convolutional Neural Networks" (Zhang, Wu & Zhu, CVPR 2018):
 * every filter of a high convolutional layer is pushed to fire at one location per image (one
 * object part) or not at all. Each h×w feature map x is compared with h·w positive templates
 * T_μ(i, j) = τ · max(1 − β ‖(i, j) − μ‖₁ / n, −1) (a peak at μ) and one negative template T⁻ = −τ,
 * with p(x | T) = exp(tr(x · T)) / Z_T over the batch's maps (the paper's empirical Z_T), priors
 * p(T⁻) = α, p(T_μ) = (1 − α)/(h w), and the loss is −MI(X; T) per filter (the paper's eq. 2),
 * averaged over filters and scaled by λ. Defaults as the paper: τ = 0.5 / (h w), β = 4,
 * α = h w / (1 + h w). The paper's masking of x by its best template in the forward pass is not
 * applied here (a filter loss on the unmasked map); `activationConcentration` measures the claim.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { CapturedForward, TrainingPenalty } from './fit-classifier.js';

/** Options of `interpretableFilters`. */
export interface InterpretableFiltersOptions {
  /** The captured layer (a key of `PenaltyBatch.captured`; see `capturingForward`), output [B, h, w, C]. */
  readonly layer: string;
  /** λ, the loss weight against the mean cross-entropy (default 1). */
  readonly lambda?: number;
  /**
   * Template height τ (default 0.5 / (h w), the paper's, for VGG-sized activations). tr(x · T) must
   * vary by O(1) across the batch for −MI to have a gradient: with activations of order 1 use τ ≈ 10.
   */
  readonly tau?: number;
  /** Template fall-off β (default 4). */
  readonly beta?: number;
  /** Prior of the negative template α (default h w / (1 + h w)). */
  readonly alpha?: number;
}

/** The h·w positive templates (row-major μ) and the negative one last: [h w + 1, h, w]. */
export function filterTemplates(h: number, w: number, tau: number, beta = 4): tf.Tensor3D {
  const n = Math.max(h, w);
  const t = new Float32Array((h * w + 1) * h * w);
  for (let mi = 0; mi < h; mi++) {
    for (let mj = 0; mj < w; mj++) {
      const base = (mi * w + mj) * h * w;
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) t[base + i * w + j] = tau * Math.max(1 - (beta * (Math.abs(i - mi) + Math.abs(j - mj))) / n, -1);
    }
  }
  t.fill(-tau, h * w * h * w);
  return tf.tensor3d(t, [h * w + 1, h, w]);
}

/** −MI(X; T) of each filter's maps `x` [B, h, w, C] against `templates` [T, h, w] with log-priors [T]: [C]. */
export function negativeMutualInformation(x: tf.Tensor4D, templates: tf.Tensor3D, logPrior: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const [B, h, w, C] = x.shape;
    const T = templates.shape[0];
    const maps = tf.transpose(tf.reshape(x, [B, h * w, C]), [2, 0, 1]); // [C, B, hw]
    const flat = tf.reshape(templates, [T, h * w]);
    const score = tf.transpose(tf.matMul(maps, tf.tile(tf.expandDims(flat, 0), [C, 1, 1]), false, true), [0, 2, 1]); // [C, T, B]
    const logPxT = tf.sub(score, tf.logSumExp(score, 2, true)); // log p(x | T), normalised over the batch
    const logPx = tf.logSumExp(tf.add(logPxT, tf.reshape(logPrior, [1, T, 1])), 1, true); // [C, 1, B]
    const mi = tf.sum(tf.mul(tf.mul(tf.reshape(tf.exp(logPrior), [1, T, 1]), tf.exp(logPxT)), tf.sub(logPxT, logPx)), [1, 2]);
    return tf.neg(mi) as tf.Tensor1D;
  });
}

/**
 * The penalty λ · mean over the layer's filters of −MI(X; T) (Zhang et al. 2018). Pass it with a
 * forward pass that captures the layer: `fitClassifier(model, x, y, {forward: capturingForward(model,
 * layer), penalty: interpretableFilters({layer})})`.
 */
export function interpretableFilters(options: InterpretableFiltersOptions): TrainingPenalty {
  const fn = 'interpretableFilters';
  const { layer, lambda = 1, beta = 4 } = options;
  check(typeof layer === 'string' && layer.length > 0, 'option', () => `${fn}: expected the name of a captured convolutional layer; found ${JSON.stringify(layer)}`);
  check(Number.isFinite(lambda) && lambda >= 0, 'option', () => `${fn}: lambda must be a number ≥ 0; found ${lambda}`);
  check(Number.isFinite(beta) && beta > 0, 'option', () => `${fn}: beta must be a positive number; found ${beta}`);
  check(options.alpha === undefined || (options.alpha > 0 && options.alpha < 1), 'option', () => `${fn}: alpha must be in (0, 1); found ${options.alpha}`);
  check(options.tau === undefined || (Number.isFinite(options.tau) && options.tau > 0), 'option', () => `${fn}: tau must be a positive number; found ${options.tau}`);
  return ({ captured }) => {
    const x = captured[layer];
    check(x !== undefined, 'option', () => `${fn}: the forward pass captured no layer '${layer}' (captured: ${Object.keys(captured).join(', ') || 'none'}); pass forward: capturingForward(model, '${layer}')`);
    check(x.rank === 4, 'shape', () => `${fn}: '${layer}' must output feature maps [B, h, w, C]; found [${x.shape}]`);
    const [, h, w] = x.shape as [number, number, number, number];
    const hw = h * w;
    const alpha = options.alpha ?? hw / (1 + hw);
    const templates = filterTemplates(h, w, options.tau ?? 0.5 / hw, beta);
    const logPrior = tf.tensor1d([...new Array<number>(hw).fill(Math.log((1 - alpha) / hw)), Math.log(alpha)]);
    return tf.mul(lambda, tf.mean(negativeMutualInformation(x as tf.Tensor4D, templates, logPrior))) as tf.Scalar;
  };
}

/**
 * A training forward pass of `model` that also returns the output of its layer `layer` (the same
 * weights: a two-output view of the graph), for penalties that read internal activations.
 */
export function capturingForward(model: tf.LayersModel, layer: string): (x: tf.Tensor) => CapturedForward {
  const names = model.layers.map((l) => l.name);
  check(names.includes(layer), 'option', () => `capturingForward: the model has no layer '${layer}' (layers: ${names.join(', ')})`);
  const view = tf.model({ inputs: model.inputs, outputs: [model.getLayer(layer).output as tf.SymbolicTensor, model.outputs[0]] });
  return (x) => {
    const [inner, logits] = view.apply(x, { training: true }) as tf.Tensor[];
    return { logits, captured: { [layer]: inner } };
  };
}

/**
 * How concentrated each filter's activation is (the interpretable-filters claim): per image, the
 * share of the map's positive mass within L1 distance `radius` of its peak, averaged over the
 * images where the filter fires at all; one value per filter of `maps` [B, h, w, C].
 */
export function activationConcentration(maps: tf.Tensor4D, radius = 1): number[] {
  const [B, h, w, C] = maps.shape;
  const v = tf.tidy(() => tf.relu(maps).dataSync());
  const out: number[] = [];
  for (let c = 0; c < C; c++) {
    let sum = 0;
    let fired = 0;
    for (let b = 0; b < B; b++) {
      let total = 0;
      let peak = 0;
      for (let p = 0; p < h * w; p++) {
        const a = v[(b * h * w + p) * C + c];
        total += a;
        if (a > v[(b * h * w + peak) * C + c]) peak = p;
      }
      if (total <= 0) continue;
      const pi = Math.floor(peak / w);
      const pj = peak % w;
      let near = 0;
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) if (Math.abs(i - pi) + Math.abs(j - pj) <= radius) near += v[(b * h * w + i * w + j) * C + c];
      sum += near / total;
      fired++;
    }
    out.push(fired > 0 ? sum / fired : NaN);
  }
  return out;
}
