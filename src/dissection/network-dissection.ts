/**
 * Network dissection (Bau et al. 2017, "Network Dissection: Quantifying Interpretability of Deep
 * Visual Representations"): each unit (channel) of a layer is thresholded at its top-`quantile`
 * activation level T_k over the whole dataset (0.5 %: the 99.5th percentile of all its activations
 * at all positions of all images, interpolated as numpy's percentile); its activation maps are
 * upsampled to the concept masks' size (bilinear with half-pixel centres, as PIL's resize that
 * NetDissect uses, so each map cell stays over the pixels it sees) and binarised (> T_k); and its
 * IoU with each concept is accumulated over the dataset — Σ|unit ∩ concept| / Σ|unit ∪ concept|,
 * not a mean of per-image IoUs. A unit's label is its best concept; the paper counts a unit as a
 * detector when that IoU exceeds 0.04.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';

/** A batch of images `x` `[n, H, W, C]` with their concept masks `masks` `[n, h, w, concepts]` (0/1); the consumer disposes both. */
export interface ConceptMaskBatch {
  readonly x: tf.Tensor4D;
  readonly masks: tf.Tensor4D;
}

/** Images with pixel-level concept masks, streamed a batch at a time. */
export interface ConceptMaskDataset {
  readonly size: number;
  readonly concepts: readonly string[];
  batches(batchSize: number): AsyncIterable<ConceptMaskBatch>;
}

/** Options of `networkDissection`. */
export interface NetworkDissectionOptions {
  /** Share of a unit's activations above its threshold (default 0.005, the paper's). */
  readonly quantile?: number;
  /** Images per model call (default 64). */
  readonly batchSize?: number;
}

/** Dissection of one layer: thresholds, the IoU of every unit with every concept, and each unit's best concept. */
export interface NetworkDissection {
  readonly layer: string;
  readonly concepts: readonly string[];
  readonly thresholds: readonly number[];
  /** `iou[unit][concept]`. */
  readonly iou: readonly (readonly number[])[];
  readonly units: readonly { readonly unit: number; readonly concept: string; readonly iou: number }[];
}

/** The `k` largest of `a` and `b` together, descending. */
function topK(a: Float32Array, b: Float32Array, k: number): Float32Array {
  const all = new Float32Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  all.sort().reverse();
  return all.slice(0, k);
}

/** Network dissection of `layer` over `data` (see the file comment). Two streamed passes; memory is O(units · quantile · dataset positions). */
export async function networkDissection(model: Model, data: ConceptMaskDataset, layer: string, options: NetworkDissectionOptions = {}): Promise<NetworkDissection> {
  const quantile = options.quantile ?? 0.005;
  const batchSize = options.batchSize ?? 64;
  const info = model.layers.find((l) => l.name === layer);
  check(info !== undefined, 'layer', () => `networkDissection: expected a layer of ${model.layers.map((l) => l.name).join(', ')}; found '${layer}'`);
  check(info.outputShape.length === 3, 'layer', () => `networkDissection: '${layer}' must output maps [H, W, units]; found [${info.outputShape}]`);
  check(quantile > 0 && quantile < 1, 'option', () => `networkDissection: quantile must be in (0, 1); found ${quantile}`);
  const [h, w, units] = info.outputShape as [number, number, number];
  // T_k is the (1 − quantile) quantile of the unit's n activations over the dataset, linearly
  // interpolated between order statistics as numpy's percentile (the paper: P(a_k > T_k) = quantile).
  // Ascending position pos = (1 − quantile)(n − 1) lies in the top n − ⌊pos⌋ values, all a unit keeps.
  const n = data.size * h * w;
  const pos = (1 - quantile) * (n - 1);
  const lo = Math.floor(pos);
  const k = n - lo;
  let tops: Float32Array[] = Array.from({ length: units }, () => new Float32Array(0));
  let seen = 0;
  for await (const { x, masks } of data.batches(batchSize)) {
    const acts = tf.tidy(() => tf.transpose(model.run(x, { capture: [layer] }).captured[layer].reshape([-1, units])));
    const values = (await acts.data()) as Float32Array;
    const per = values.length / units;
    seen += per;
    tops = tops.map((t, u) => topK(t, values.subarray(u * per, (u + 1) * per), k));
    tf.dispose([acts, x, masks]);
  }
  check(seen === n, 'input', () => `networkDissection: the dataset says it holds ${data.size} images (${n} positions of '${layer}'); its batches held ${seen} positions`);
  // tops[u] descending: ascending index lo is tops[u][k − 1], lo + 1 is tops[u][k − 2].
  const thresholds = tops.map((t) => (k >= 2 ? t[k - 1] + (pos - lo) * (t[k - 2] - t[k - 1]) : t[0]));
  const thr = tf.tensor1d(thresholds);
  const nc = data.concepts.length;
  const inter = new Float64Array(units * nc);
  const unitArea = new Float64Array(units);
  const conceptArea = new Float64Array(nc);
  try {
    for await (const { x, masks } of data.batches(batchSize)) {
      const [i, a, m] = tf.tidy(() => {
        const [mh, mw] = [masks.shape[1], masks.shape[2]];
        const act = model.run(x, { capture: [layer] }).captured[layer] as tf.Tensor4D;
        const on = tf.greater(tf.image.resizeBilinear(act, [mh, mw], false, true), thr).toFloat().reshape([-1, units]);
        const mk = masks.reshape([-1, nc]);
        return [tf.matMul(on, mk, true, false), tf.sum(on, 0), tf.sum(mk, 0)];
      });
      const [iv, av, mv] = (await Promise.all([i.data(), a.data(), m.data()])) as Float32Array[];
      for (let j = 0; j < iv.length; j++) inter[j] += iv[j];
      for (let j = 0; j < av.length; j++) unitArea[j] += av[j];
      for (let j = 0; j < mv.length; j++) conceptArea[j] += mv[j];
      tf.dispose([i, a, m, x, masks]);
    }
  } finally {
    thr.dispose();
  }
  const iou = Array.from({ length: units }, (_, u) => Array.from({ length: nc }, (_, c) => {
    const union = unitArea[u] + conceptArea[c] - inter[u * nc + c];
    return union > 0 ? inter[u * nc + c] / union : 0;
  }));
  const best = iou.map((row, unit) => {
    const c = row.indexOf(Math.max(...row));
    return { unit, concept: data.concepts[c], iou: row[c] };
  });
  return { layer, concepts: data.concepts, thresholds, iou, units: best };
}
