import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import type { Baseline } from '../../core/baseline.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import { maskedPlan, perturbationBaseline, preparePerturbation, scoreInputs, scorePerturbations, targetScore } from '../../core/perturbation/perturbation-batcher.js';
import { slidingWindows, windowShapeOf, type WindowShape, type WindowStrides } from './sliding-windows.js';

/** Options of `occlusion`; `batchSize` is the number of occluded copies per model call. */
export interface OcclusionOptions extends LocalOptions {
  /**
   * The occluding window over one example's shape, e.g. `[3, 3, 1]` on `[H, W, C]` images (Captum's
   * `sliding_window_shapes` in channels-last order); one axis fewer covers the last axis whole:
   * `[4, 4]` (or `4`) occludes every channel of a 4×4 patch (see WindowShape). Default (see
   * `defaultOcclusionWindow`): on images `[H, W, C]` a square of side ⌈min(H, W)/7⌉ over every
   * channel; on other inputs one scalar.
   */
  readonly window?: WindowShape;
  /** Step of the window per axis (a number for every axis); default 1 (the default image window: half its side). */
  readonly strides?: WindowStrides;
  /** What the window is filled with — every Baseline kind (default `'zeros'`). */
  readonly baseline?: Baseline;
}

/**
 * The window and strides occlusion uses when given no window: on images `[H, W, C]` a square of
 * side ⌈min(H, W)/7⌉ over every channel, slid by half its side (so each pixel is covered by about
 * four windows); on other inputs one scalar at a time, stride 1. Captum has no default window; this
 * one covers a digit's stroke on 28×28 MNIST (4×4, stride 2) and scales with the image.
 */
export function defaultOcclusionWindow(shape: readonly number[]): { window: number[]; strides: number } {
  if (shape.length !== 3) return { window: shape.map(() => 1), strides: 1 };
  const side = Math.max(1, Math.ceil(Math.min(shape[0], shape[1]) / 7));
  return { window: [side, side], strides: Math.max(1, Math.ceil(side / 2)) };
}

/**
 * Occlusion: slides a window over each example, fills it with the baseline, and gives every
 * scalar the mean of f(x)[t] − f(x with the window occluded)[t] over the windows that cover it
 * (Zeiler & Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014). Window
 * placement is Captum's: per axis ⌈(D − w)/s⌉ + 1 starts, the last window clipped at the border,
 * so every scalar is covered. Forward passes only (black boxes work); the N · windows occluded
 * copies go through the model `batchSize` at a time.
 */
export async function occlusion(model: Model, input: tf.Tensor, options: OcclusionOptions = {}): Promise<Attribution> {
  const fn = 'occlusion';
  const shape = input.shape.slice(1);
  const auto = options?.window === undefined ? defaultOcclusionWindow(shape) : undefined;
  const { window, strides } = windowShapeOf(shape, options?.window ?? auto?.window, options?.strides ?? auto?.strides, fn);
  const ctx = await preparePerturbation(model, input, options, fn);
  const windows = slidingWindows(shape, window, strides, 'clip');
  const regions = Array.from({ length: windows.count }, (_, k) => windows.indices(k));
  const size = shape.reduce((a, b) => a * b, 1);
  const baseline = perturbationBaseline(options.baseline, input, ctx.seed, fn);
  try {
    const score = targetScore(ctx.target);
    const full = await scoreInputs(model, input, score, ctx.batchSize, fn);
    const examples = Int32Array.from({ length: ctx.n * windows.count }, (_, r) => Math.floor(r / windows.count));
    const plan = maskedPlan(input, baseline, examples, shape, (r, m) => {
      m.fill(1);
      for (const j of regions[r % windows.count]) m[j] = 0;
    });
    const { scores, calls } = await scorePerturbations(model, plan, score, ctx.batchSize, options, fn);
    const total = new Float64Array(ctx.n * size);
    const covered = new Float64Array(size);
    for (const region of regions) for (const j of region) covered[j]++;
    for (let r = 0; r < scores.length; r++) {
      const e = examples[r];
      const diff = full.scores[e] - scores[r];
      for (const j of regions[r % windows.count]) total[e * size + j] += diff;
    }
    const values = new Float32Array(total.length);
    for (let i = 0; i < total.length; i++) values[i] = total[i] / covered[i % size];
    return makeAttribution('occlusion', tf.tensor(values, input.shape), ctx.target.classes, {
      modelCalls: calls + full.calls,
      windows: windows.count,
      window,
      strides,
    });
  } finally {
    baseline.dispose();
  }
}
