import type * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { localisationInputs, type LocalisationOptions } from './localisation-common.js';
import type { AttributionSource, MetricResult } from './result.js';
import { argsort, metricResult } from './shared.js';

/** Options of `topKIntersection`. */
export interface TopKIntersectionOptions extends LocalisationOptions {
  /** Pixels taken from the top of the ranking (default 1000, at most the pixel count). */
  readonly k?: number;
  /** Multiply by pixels / mask size ("concept influence"). */
  readonly conceptInfluence?: boolean;
}

/**
 * Top-k intersection (Theiner, Müller-Budack & Ewerth, "Interpretable Semantic Photo Geolocation",
 * WACV 2022): the fraction of the k most relevant pixels that lie in the mask (higher is better).
 */
export async function topKIntersection(model: Model, input: tf.Tensor, attributions: AttributionSource, options: TopKIntersectionOptions): Promise<MetricResult> {
  const { ctx, a, s } = await localisationInputs(model, input, attributions, options, 'topKIntersection', false);
  const pixels = a[0].length;
  const k = Math.min(options.k ?? 1000, pixels);
  check(Number.isInteger(k) && k >= 1, 'option', () => `${ctx.fn}: k must be a positive integer; found ${options.k}`);
  const scores = a.map((v, i) => {
    const top = argsort(v, true).subarray(0, k);
    let score = top.reduce((t, q) => t + s[i][q], 0) / k;
    if (options.conceptInfluence) score *= pixels / s[i].reduce((t, u) => t + u, 0);
    return score;
  });
  return metricResult(ctx, 'top-k-intersection', 'higher', scores);
}
