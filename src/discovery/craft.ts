/**
 * CRAFT-style concept discovery (Fel et al. 2023, "CRAFT: Concept Recursive Activation
 * FacTorization for Explainability"): images of one class are cut into overlapping crops, each
 * crop resized to the model's input size and passed to a layer whose activations are non-negative
 * (after a ReLU); the crops' spatially averaged activations A `[crops, channels]` are factorised by
 * NMF, A ≈ U W (nmf.ts): the rows of W are the concepts (directions in channel space), U[i, k] how
 * much crop i holds concept k. A concept's importance for the class is measured, as TCAV does
 * (Kim et al. 2018), by the directional derivative of the class logit along the concept's unit
 * direction at the layer, S_k(x) = Σ_{h,w} ∇_{a(h,w)} logit_c(x) · w_k / ‖w_k‖, on the class's
 * whole images: its TCAV score is the share of images with S_k > 0, its magnitude
 * Σ max(S_k, 0) / Σ |S_k|, and its mean derivative the average of S_k. (CRAFT's paper ranks by
 * Sobol indices; here the ranking is TCAV's, as Lumen's issue asks.) Concepts are ranked by TCAV
 * score, ties broken by mean derivative. Each concept's top crops are the crops with the largest
 * U[:, k].
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { check, LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { DEFAULT_SEED } from '../core/random.js';
import { yieldToEventLoop } from '../core/yield-to-event-loop.js';
import { withInputGradientsOnly } from '../engine/input-gradients-only.js';
import { releaseTapeOnThrow } from '../engine/release-tape.js';
import { nmf } from './nmf.js';

/** Options of `craftConcepts`. */
export interface CraftOptions {
  /** The class whose images are factorised and whose logit ranks the concepts. */
  readonly class: number;
  /** A layer with non-negative maps `[H, W, C]` (after a ReLU). */
  readonly layer: string;
  /** Concepts to discover: the NMF rank (default 5). */
  readonly concepts?: number;
  /** Side of a square crop in pixels (default half the input's shorter side). */
  readonly patchSize?: number;
  /** Step between crops (default half the patch size). */
  readonly stride?: number;
  /** Images of the class used at most (default 200). */
  readonly maxImages?: number;
  /** Rows of `data` taken as the class: their labels (default when the data has labels) or the model's predictions. */
  readonly classOf?: 'labels' | 'predictions';
  /** Top crops kept per concept (default 8). */
  readonly topCrops?: number;
  readonly maxIterations?: number;
  readonly batchSize?: number;
  readonly seed?: number;
}

/** A crop: image `row` of the data (its dataset index), top-left corner `(y, x)` and side `size`. */
export interface CraftCrop {
  readonly row: number;
  readonly y: number;
  readonly x: number;
  readonly size: number;
}

/** One discovered concept with its TCAV-style importance and its top crops (U-weight descending). */
export interface CraftConcept {
  /** The concept's index in the NMF (before ranking). */
  readonly index: number;
  /** Its direction in the layer's channel space (a row of W, unnormalised). */
  readonly direction: readonly number[];
  readonly tcavScore: number;
  readonly magnitude: number;
  readonly meanDerivative: number;
  readonly topCrops: readonly (CraftCrop & { readonly weight: number })[];
}

/** The concepts ranked by importance (most important first), the crops and the factorisation's fit. */
export interface CraftResult {
  readonly layer: string;
  readonly class: number;
  readonly images: number;
  readonly crops: number;
  readonly concepts: readonly CraftConcept[];
  /** ‖A − UW‖_F / ‖A‖_F. */
  readonly relativeError: number;
  readonly nmfIterations: number;
}

/** The top-left corners of crops of side `size` every `stride` pixels, the last flush with the border. */
function cropStarts(extent: number, size: number, stride: number): number[] {
  const starts: number[] = [];
  for (let s = 0; s + size <= extent; s += stride) starts.push(s);
  if (starts[starts.length - 1] !== extent - size) starts.push(extent - size);
  return starts;
}

/** Crops of `images` `[n, H, W, C]` at `boxes` resized to `[H, W]` (bilinear, tf.image.cropAndResize). */
export function cropImages(images: tf.Tensor4D, crops: readonly { readonly image: number; readonly y: number; readonly x: number; readonly size: number }[]): tf.Tensor4D {
  const [, h, w] = images.shape;
  return tf.tidy(() => {
    const boxes = tf.tensor2d(crops.flatMap((c) => [c.y / (h - 1), c.x / (w - 1), (c.y + c.size - 1) / (h - 1), (c.x + c.size - 1) / (w - 1)]), [crops.length, 4]);
    const ind = tf.tensor1d(Int32Array.from(crops.map((c) => c.image)), 'int32');
    return tf.image.cropAndResize(images, boxes, ind, [h, w], 'bilinear');
  });
}

/** The images of `data` that belong to `cls` (see CraftOptions.classOf), at most `max`, with their dataset indices. */
async function classImages(model: Model, data: Dataset, cls: number, max: number, classOf: 'labels' | 'predictions' | undefined, batchSize: number): Promise<{ x: tf.Tensor4D; rows: number[] }> {
  const kept: tf.Tensor[] = [];
  const rows: number[] = [];
  try {
    for await (const { x, y, index } of data.batches(batchSize)) {
      const use = classOf ?? (y ? 'labels' : 'predictions');
      if (use === 'labels' && !y) {
        tf.dispose(x);
        throw new LumenError('input', `craftConcepts: classOf 'labels' needs a dataset with labels; found none`);
      }
      const lab = use === 'labels' ? Array.from(await (y as tf.Tensor).data()) : Array.from(await tf.tidy(() => tf.argMax(model.run(x).output, -1)).data());
      const pick = lab.map((l, i) => [l, i] as const).filter(([l]) => Math.round(l) === cls).map(([, i]) => i).slice(0, max - rows.length);
      if (pick.length) {
        kept.push(tf.tidy(() => tf.gather(x, tf.tensor1d(Int32Array.from(pick), 'int32'))));
        rows.push(...pick.map((i) => index[i]));
      }
      tf.dispose([x, y]);
      if (rows.length >= max) break;
      await yieldToEventLoop();
    }
    check(rows.length > 0, 'input', () => `craftConcepts: no image of the data belongs to class ${cls}`);
    const x = tf.concat(kept) as tf.Tensor4D;
    return { x, rows };
  } finally {
    tf.dispose(kept);
  }
}

/**
 * Discovers concepts of class `options.class` at `options.layer` and ranks them by TCAV-style
 * importance (see the file comment). Seeded (the NMF's start); crops and gradients are batched.
 */
export async function craftConcepts(model: Model, data: Dataset, options: CraftOptions): Promise<CraftResult> {
  const fn = 'craftConcepts';
  const { layer } = options;
  const cls = options.class;
  check(model.differentiable, 'not-differentiable', () => `${fn}: needs a model whose layers can be captured and differentiated; '${model.name}' is a black box`);
  check(model.inputShape.length === 3, 'shape', () => `${fn}: needs image inputs [H, W, C]; the model takes [${model.inputShape}]`);
  const info = model.layers.find((l) => l.name === layer);
  check(info !== undefined, 'layer', () => `${fn}: expected a layer of ${model.layers.map((l) => l.name).join(', ')}; found '${layer}'`);
  check(info.outputShape.length === 3, 'layer', () => `${fn}: '${layer}' must output maps [H, W, C]; found [${info.outputShape}]`);
  const outputs = model.outputShape[model.outputShape.length - 1] as number;
  check(Number.isInteger(cls) && cls >= 0 && cls < outputs, 'option', () => `${fn}: class must be an integer in [0, ${outputs}); found ${cls}`);
  const [h, w] = model.inputShape as [number, number, number];
  const channels = info.outputShape[2] as number;
  const rank = options.concepts ?? 5;
  const patch = options.patchSize ?? Math.floor(Math.min(h, w) / 2);
  const stride = options.stride ?? Math.max(1, Math.floor(patch / 2));
  const maxImages = options.maxImages ?? 200;
  const top = options.topCrops ?? 8;
  const batchSize = options.batchSize ?? 64;
  check(Number.isInteger(rank) && rank >= 1 && rank <= channels, 'option', () => `${fn}: concepts must be an integer in [1, ${channels}] (the layer's channels); found ${rank}`);
  check(Number.isInteger(patch) && patch >= 2 && patch <= Math.min(h, w), 'option', () => `${fn}: patchSize must be an integer in [2, ${Math.min(h, w)}]; found ${patch}`);
  check(Number.isInteger(stride) && stride >= 1, 'option', () => `${fn}: stride must be a positive integer; found ${stride}`);
  check(Number.isInteger(maxImages) && maxImages >= 1, 'option', () => `${fn}: maxImages must be a positive integer; found ${maxImages}`);
  check(Number.isInteger(top) && top >= 1, 'option', () => `${fn}: topCrops must be a positive integer; found ${top}`);

  const { x, rows } = await classImages(model, data, cls, maxImages, options.classOf, batchSize);
  try {
    const ys = cropStarts(h, patch, stride);
    const xs = cropStarts(w, patch, stride);
    const crops = rows.flatMap((row, image) => ys.flatMap((y) => xs.map((x0) => ({ image, row, y, x: x0, size: patch }))));
    check(crops.length >= rank, 'option', () => `${fn}: ${crops.length} crops are fewer than the ${rank} concepts asked for`);
    // A: each crop's activations averaged over positions, [crops, channels].
    const a = new Float32Array(crops.length * channels);
    for (let s = 0; s < crops.length; s += batchSize) {
      const part = crops.slice(s, s + batchSize);
      const act = tf.tidy(() => tf.mean(model.run(cropImages(x, part), { capture: [layer] }).captured[layer], [1, 2]));
      a.set(await act.data(), s * channels);
      act.dispose();
      await yieldToEventLoop();
    }
    const f = nmf(a, crops.length, channels, rank, { seed: options.seed ?? DEFAULT_SEED, ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}) });
    let norm = 0;
    for (const v of a) norm += v * v;
    const relativeError = f.errors[f.errors.length - 1] / Math.sqrt(norm);
    // Directional derivatives of the class logit along each unit concept direction, on the whole images.
    const dirs = Array.from({ length: rank }, (_, k) => {
      const d = Array.from(f.w.subarray(k * channels, (k + 1) * channels));
      const l = Math.hypot(...d);
      return d.map((v) => (l > 0 ? v / l : 0));
    });
    const directions = tf.tensor2d(dirs.flat(), [rank, channels]);
    const derivs: number[][] = Array.from({ length: rank }, () => []);
    try {
      for (let s = 0; s < rows.length; s += batchSize) {
        const n = Math.min(batchSize, rows.length - s);
        const d = tf.tidy(() => {
          const xb = x.slice(s, n);
          const act = model.run(xb, { capture: [layer] }).captured[layer];
          const grad = withInputGradientsOnly(() => releaseTapeOnThrow(() =>
            tf.grad((p: tf.Tensor) => tf.sum(tf.gather(model.run(xb, { replace: { [layer]: p } }).output, [cls], 1)))(act)));
          return tf.matMul(tf.sum(grad, [1, 2]), directions, false, true);
        });
        const v = await d.data();
        d.dispose();
        for (let i = 0; i < n; i++) for (let k = 0; k < rank; k++) derivs[k].push(v[i * rank + k]);
        await yieldToEventLoop();
      }
    } finally {
      directions.dispose();
    }
    const concepts: CraftConcept[] = derivs.map((d, k) => {
      const pos = d.reduce((t, v) => t + Math.max(v, 0), 0);
      const abs = d.reduce((t, v) => t + Math.abs(v), 0);
      const order = crops.map((_, i) => i).sort((i, j) => f.u[j * rank + k] - f.u[i * rank + k]).slice(0, top);
      return {
        index: k,
        direction: Array.from(f.w.subarray(k * channels, (k + 1) * channels)),
        tcavScore: d.filter((v) => v > 0).length / d.length,
        magnitude: abs > 0 ? pos / abs : 0,
        meanDerivative: d.reduce((t, v) => t + v, 0) / d.length,
        topCrops: order.map((i) => ({ row: crops[i].row, y: crops[i].y, x: crops[i].x, size: patch, weight: f.u[i * rank + k] })),
      };
    });
    concepts.sort((p, q) => q.tcavScore - p.tcavScore || q.meanDerivative - p.meanDerivative);
    return { layer, class: cls, images: rows.length, crops: crops.length, concepts, relativeError, nmfIterations: f.iterations };
  } finally {
    x.dispose();
  }
}
