import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { localisationInputs, type LocalisationOptions } from './localisation-common.js';
import type { AttributionSource, MetricResult } from './result.js';
import { metricResult } from './shared.js';

/** Options of `attributionLocalisation`. */
export interface AttributionLocalisationOptions extends LocalisationOptions {
  /**
   * 'none' (default) the plain ratio; 'inverse-size' multiplies by pixels / mask size (the paper's
   * weighting for small objects); 'size' multiplies by mask size / `sizeOf` (Quantus 0.6's formula).
   */
  readonly weighting?: 'none' | 'inverse-size' | 'size';
  /** The denominator of the 'size' weighting (default: the number of input scalars). */
  readonly sizeOf?: number;
}

/**
 * Attribution localisation (Kohlbrenner et al., "Towards Best Practice in Explaining Neural
 * Network Decisions with LRP", IJCNN 2020): the share of (absolute by default) attribution inside
 * the mask, Σ a·s / (Σ a + 1e-9); NaN for an empty mask or a ratio above 1 (higher is better).
 */
export async function attributionLocalisation(model: Model, input: tf.Tensor, attributions: AttributionSource, options: AttributionLocalisationOptions): Promise<MetricResult> {
  const { ctx, a, s } = await localisationInputs(model, input, attributions, { abs: true, ...options }, 'attributionLocalisation', true);
  const scores = a.map((v, i) => {
    const size = s[i].reduce((t, u) => t + u, 0);
    let ratio = v.reduce((t, u, q) => t + u * s[i][q], 0) / (v.reduce((t, u) => t + u, 0) + 1e-9);
    if (size === 0 || ratio > 1) return NaN;
    if (options.weighting === 'inverse-size') ratio *= v.length / size;
    if (options.weighting === 'size') ratio *= size / (options.sizeOf ?? ctx.features);
    return ratio;
  });
  return metricResult(ctx, 'attribution-localisation', 'higher', scores);
}
