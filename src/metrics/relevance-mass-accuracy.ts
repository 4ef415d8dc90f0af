import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { localisationInputs, type LocalisationOptions } from './localisation-common.js';
import type { AttributionSource, MetricResult } from './result.js';
import { metricResult } from './shared.js';

/** Options of `relevanceMassAccuracy`. */
export type RelevanceMassAccuracyOptions = LocalisationOptions;

/**
 * Relevance mass accuracy (Arras, Osman & Samek, "CLEVR-XAI", Information Fusion 2022): the
 * attribution inside the mask over the total, Σ a·s / Σ a (higher is better).
 */
export async function relevanceMassAccuracy(model: Model, input: tf.Tensor, attributions: AttributionSource, options: RelevanceMassAccuracyOptions): Promise<MetricResult> {
  const { ctx, a, s } = await localisationInputs(model, input, attributions, options, 'relevanceMassAccuracy', false);
  const scores = a.map((v, i) => v.reduce((t, u, q) => t + u * s[i][q], 0) / v.reduce((t, u) => t + u, 0));
  return metricResult(ctx, 'relevance-mass-accuracy', 'higher', scores);
}
