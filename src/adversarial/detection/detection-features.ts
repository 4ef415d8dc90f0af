import * as tf from '@tensorflow/tfjs';
import { inputXGradient } from '../../attribution/gradient/input-x-gradient.js';
import { saliency } from '../../attribution/gradient/saliency.js';
import { featureAblation } from '../../attribution/perturbation/feature-ablation.js';
import type { Attribution } from '../../core/attribution.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { ActivationMatrix } from '../../concepts/activation-matrix.js';
import { ATTRIBUTION_STATISTICS, attributionStatistics } from './attribution-statistics.js';

/** The attribution maps whose statistics make the detector's features. */
export const DETECTION_MAPS = ['leave-one-out', 'saliency', 'input-x-gradient'] as const;
export type DetectionMap = (typeof DETECTION_MAPS)[number];

/** Options of `attributionDetectionFeatures`. */
export interface DetectionFeatureOptions {
  /** Which maps (default all three). */
  readonly maps?: readonly DetectionMap[];
  /** Leave-one-out on patches of this size of an image's [H, W] (default [4, 4]; tabular and other inputs leave out one value at a time). */
  readonly patch?: readonly [number, number];
  /** Ablated copies per forward pass (the perturbation batcher's `batchSize`; default 256). */
  readonly batchSize?: number;
}

/** A feature matrix (one row per input) with each column's name (`map:statistic`). */
export interface DetectionFeatures {
  readonly matrix: ActivationMatrix;
  readonly names: readonly string[];
}

async function map(model: Model, x: tf.Tensor, kind: DetectionMap, o: DetectionFeatureOptions): Promise<Attribution> {
  if (kind === 'saliency') return saliency(model, x, { target: 'predicted' });
  if (kind === 'input-x-gradient') return inputXGradient(model, x, { target: 'predicted' });
  const image = x.rank === 4;
  return featureAblation(model, x, { target: 'predicted', batchSize: o.batchSize ?? 256, ...(image ? { featureMask: { patch: [...(o.patch ?? [4, 4])] } } : {}) });
}

/**
 * The features of ML-LOO (Yang et al., AAAI 2020) for detecting adversarial inputs: for every
 * input, attribution maps of the model's predicted class — leave-one-out (the drop of the
 * predicted output when a patch is set to 0; ML-LOO takes the predicted probability, here the
 * model's own output: logits on a logits model), saliency |∇f| and input × gradient — and the
 * dispersion statistics of each map (`attributionStatistics`: IQR, standard deviation, top-5 %
 * share). Each map is one batched call over all of `x`; leave-one-out values are read once per
 * patch.
 */
export async function attributionDetectionFeatures(model: Model, x: tf.Tensor, options: DetectionFeatureOptions = {}): Promise<DetectionFeatures> {
  const maps = options.maps ?? DETECTION_MAPS;
  check(maps.length > 0 && maps.every((m) => (DETECTION_MAPS as readonly string[]).includes(m)), 'option', () =>
    `attributionDetectionFeatures: maps must be some of ${DETECTION_MAPS.join(', ')}; found ${JSON.stringify(maps)}`);
  const n = x.shape[0];
  const k = ATTRIBUTION_STATISTICS.length;
  const data = new Float64Array(n * k * maps.length);
  for (let m = 0; m < maps.length; m++) {
    const a = await map(model, x, maps[m], options);
    let values: Float32Array;
    let per: number;
    try {
      if (maps[m] === 'leave-one-out' && x.rank === 4) {
        // One value per patch: every pixel of a patch holds the patch's drop; the patch's first pixel stands for it.
        const [h, w] = [x.shape[1] as number, x.shape[2] as number];
        const [ph, pw] = options.patch ?? [4, 4];
        const picked = tf.tidy(() => a.values.slice([0, 0, 0, 0], [n, h, w, 1]).reshape([n, h, w]).stridedSlice([0, 0, 0], [n, h, w], [1, ph, pw]));
        per = picked.size / n;
        values = (await picked.data()) as Float32Array;
        picked.dispose();
      } else {
        per = a.values.size / n;
        values = (await a.values.data()) as Float32Array;
      }
    } finally {
      a.dispose();
    }
    const stats = attributionStatistics(values, n, per);
    for (let i = 0; i < n; i++) for (let s = 0; s < k; s++) data[i * k * maps.length + m * k + s] = stats[i * k + s];
  }
  const names = maps.flatMap((m) => ATTRIBUTION_STATISTICS.map((s) => `${m}:${s}`));
  return { matrix: { rows: n, cols: names.length, data }, names };
}
