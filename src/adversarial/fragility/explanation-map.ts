import * as tf from '@tensorflow/tfjs';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import { pathWeights } from '../../core/path-weights.js';
import { Rng } from '../../core/random.js';

/** The explanations an attack on explanations can move (Ghorbani et al. 2019 attack all four). */
export type FragileMethod = 'saliency' | 'integrated-gradients' | 'deeplift' | 'grad-cam';
export const FRAGILE_METHODS: readonly FragileMethod[] = ['saliency', 'integrated-gradients', 'deeplift', 'grad-cam'];

/** Which explanation is computed, and its defences. */
export interface ExplanationSpec {
  readonly method: FragileMethod;
  /** Grad-CAM's convolutional layer (required for 'grad-cam'). */
  readonly layer?: string;
  /** Integrated gradients' Gauss–Legendre points (default 16). */
  readonly steps?: number;
  /** The constant reference input of IG and DeepLIFT (default 0). */
  readonly baseline?: number;
  /**
   * SmoothGrad defence (Smilkov et al. 2017): the attribution averaged over `samples` copies of the
   * input with Gaussian noise of standard deviation `stdev` (absolute units; seeded).
   */
  readonly smoothGrad?: { readonly samples: number; readonly stdev: number; readonly seed?: number };
  /**
   * β-smoothing defence (Dombrowski et al. 2019): ReLU's derivative replaced by softplus_β's (see
   * engine/relu-surrogate.ts) in the explanation itself. Absent: the plain ReLU explanation.
   */
  readonly beta?: number;
}

/** Checks a spec before any tensor work. */
export function checkExplanationSpec(model: Model, spec: ExplanationSpec, fn: string): void {
  check(FRAGILE_METHODS.includes(spec.method), 'option', () => `${fn}: explanation must be one of ${FRAGILE_METHODS.join(', ')}; found ${String(spec.method)}`);
  if (spec.method === 'grad-cam') {
    check(typeof spec.layer === 'string' && model.layers.some((l) => l.name === spec.layer), 'option', () =>
      `${fn}: grad-cam needs layer, one of the model's layers (${model.layers.map((l) => l.name).join(', ')}); found ${String(spec.layer)}`);
  }
  check(spec.steps === undefined || (Number.isInteger(spec.steps) && spec.steps >= 1), 'option', () => `${fn}: steps must be an integer ≥ 1; found ${String(spec.steps)}`);
  check(spec.beta === undefined || (Number.isFinite(spec.beta) && spec.beta > 0), 'option', () => `${fn}: beta must be a finite number > 0; found ${String(spec.beta)}`);
  const s = spec.smoothGrad;
  check(s === undefined || (Number.isInteger(s.samples) && s.samples >= 1 && Number.isFinite(s.stdev) && s.stdev >= 0), 'option', () =>
    `${fn}: smoothGrad must be {samples ≥ 1 (integer), stdev ≥ 0}; found ${JSON.stringify(s)}`);
}

/** Σ over rows of output[r, classes[r]] (the explained logit of every example). */
function targetScore(output: tf.Tensor, classes: tf.Tensor1D): tf.Scalar {
  const flat = output.reshape([output.shape[0], -1]);
  return flat.mul(tf.oneHot(classes, flat.shape[1] as number).toFloat()).sum();
}

const repeatRows = (t: tf.Tensor, times: number): tf.Tensor => tf.tile(t, [times, ...t.shape.slice(1).map(() => 1)]);

/** The signed attribution of `method` on x `[N, …]` for classes `[N]`, as taped ops of x (differentiable again). */
function signedAttribution(model: Model, spec: ExplanationSpec, x: tf.Tensor, classes: tf.Tensor1D): tf.Tensor {
  const n = x.shape[0];
  const grad = (rows: tf.Tensor, cls: tf.Tensor1D): tf.Tensor => tf.grad((p: tf.Tensor) => targetScore(model.run(p).output, cls))(rows);
  switch (spec.method) {
    case 'saliency':
      return grad(x, classes);
    case 'integrated-gradients': {
      const { alphas, weights } = pathWeights('gauss-legendre', spec.steps ?? 16);
      const m = alphas.length;
      const b = tf.fill(x.shape, spec.baseline ?? 0);
      const diff = x.sub(b);
      const shape = [m, ...new Array<number>(x.rank).fill(1)];
      const a = tf.tensor(Array.from(alphas), shape);
      const rows = b.expandDims(0).add(a.mul(diff.expandDims(0))).reshape([m * n, ...x.shape.slice(1)]);
      const g = grad(rows, repeatRows(classes, m) as tf.Tensor1D).reshape([m, ...x.shape]);
      return diff.mul(g.mul(tf.tensor(Array.from(weights), shape)).sum(0));
    }
    case 'deeplift': {
      const b = tf.fill(x.shape, spec.baseline ?? 0);
      const pair = tf.concat([x, b], 0);
      const cls = tf.concat([classes, classes]) as tf.Tensor1D;
      // only the inputs' half is scored; the references run beside them so every ReLU sees z and z′
      const multipliers = tf.grad((p: tf.Tensor) => {
        const flat = model.run(p).output.reshape([2 * n, -1]);
        const half = tf.concat([tf.ones([n, 1]), tf.zeros([n, 1])], 0);
        return flat.mul(tf.oneHot(cls, flat.shape[1] as number).toFloat()).mul(half).sum();
      })(pair).slice([0], [n]);
      return x.sub(b).mul(multipliers);
    }
    case 'grad-cam': {
      const layer = spec.layer as string;
      const a = model.run(x, { capture: [layer] }).captured[layer];
      const g = tf.grad((act: tf.Tensor) => targetScore(model.run(x, { replace: { [layer]: act } }).output, classes))(a);
      return tf.relu(a.mul(g.mean([1, 2], true)).sum(-1));
    }
  }
}

/**
 * The explanation as a map over positions: |attribution| summed over the channel axis of image
 * inputs `[N, H, W, C]` (Grad-CAM: its `[N, h, w]` map), normalised to sum 1 per example, flattened
 * to `[N, P]` — the normalised saliency map Ghorbani et al. compare. Taped ops of x (it can be
 * differentiated again, under `withReluSurrogate` for ReLU networks). SmoothGrad averages the
 * signed attributions of the noisy copies before the absolute value.
 */
export function explanationMap(model: Model, spec: ExplanationSpec, x: tf.Tensor, classes: tf.Tensor1D): tf.Tensor2D {
  const n = x.shape[0];
  let attribution: tf.Tensor;
  const s = spec.smoothGrad;
  if (s && s.samples > 0) {
    const noise = tf.tensor(new Rng(s.seed ?? 0).normals(s.samples * x.size, 0, s.stdev), [s.samples * n, ...x.shape.slice(1)]);
    const noisy = repeatRows(x, s.samples).add(noise);
    const a = signedAttribution(model, spec, noisy, repeatRows(classes, s.samples) as tf.Tensor1D);
    attribution = a.reshape([s.samples, n, ...a.shape.slice(1)]).mean(0);
  } else {
    attribution = signedAttribution(model, spec, x, classes);
  }
  const magnitude = attribution.abs();
  const map = spec.method !== 'grad-cam' && x.rank === 4 ? magnitude.sum(-1) : magnitude;
  const flat = map.reshape([n, -1]);
  return flat.div(flat.sum(1, true).add(1e-12)) as tf.Tensor2D;
}

/** The spatial shape of `explanationMap`'s positions (for centres of mass): [H, W], Grad-CAM's [h, w], or [P]. */
export function explanationMapShape(model: Model, spec: ExplanationSpec): number[] {
  if (spec.method === 'grad-cam') {
    const shape = model.layers.find((l) => l.name === spec.layer)?.outputShape ?? [];
    return [Number(shape[0]), Number(shape[1])];
  }
  const s = model.inputShape;
  return s.length === 3 ? [s[0], s[1]] : [s.reduce((a, b) => a * b, 1)];
}
