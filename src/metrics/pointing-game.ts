import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { localisationInputs, type LocalisationOptions } from './localisation-common.js';
import type { AttributionSource, MetricResult } from './result.js';
import { metricResult } from './shared.js';

/** Options of `pointingGame`. */
export type PointingGameOptions = LocalisationOptions;

/**
 * Pointing game (Zhang et al., "Top-down Neural Attention by Excitation Backprop", ECCV 2016): 1
 * when a pixel of maximal attribution lies inside the mask, else 0 (higher is better).
 */
export async function pointingGame(model: Model, input: tf.Tensor, attributions: AttributionSource, options: PointingGameOptions): Promise<MetricResult> {
  const { ctx, a, s } = await localisationInputs(model, input, attributions, options, 'pointingGame', false);
  const scores = a.map((v, i) => {
    const max = v.reduce((m, t) => Math.max(m, t), -Infinity);
    return v.some((t, q) => t === max && s[i][q] === 1) ? 1 : 0;
  });
  return metricResult(ctx, 'pointing-game', 'higher', scores);
}
