import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { localisationInputs, type LocalisationOptions } from './localisation-common.js';
import type { AttributionSource, MetricResult } from './result.js';
import { argsort, metricResult } from './shared.js';

/** Options of `relevanceRankAccuracy`. */
export type RelevanceRankAccuracyOptions = LocalisationOptions;

/**
 * Relevance rank accuracy (Arras, Osman & Samek, "CLEVR-XAI", 2022): with K the mask's size, the
 * fraction of the K most relevant pixels that lie in the mask (higher is better).
 */
export async function relevanceRankAccuracy(model: Model, input: tf.Tensor, attributions: AttributionSource, options: RelevanceRankAccuracyOptions): Promise<MetricResult> {
  const { ctx, a, s } = await localisationInputs(model, input, attributions, options, 'relevanceRankAccuracy', false);
  const scores = a.map((v, i) => {
    const K = s[i].reduce((t, u) => t + u, 0);
    if (K === 0) return NaN;
    return argsort(v, true).subarray(0, K).reduce((t, q) => t + s[i][q], 0) / K;
  });
  return metricResult(ctx, 'relevance-rank-accuracy', 'higher', scores);
}
