import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { localisationInputs, type LocalisationOptions } from './localisation-common.js';
import type { AttributionSource, MetricResult } from './result.js';
import { rocAuc } from './roc-auc.js';
import { metricResult } from './shared.js';

/** Options of `localisationAuc`. */
export type LocalisationAucOptions = LocalisationOptions;

/**
 * Localisation AUC (Fawcett, "An Introduction to ROC Analysis", 2006, as used by Quantus): the
 * area under the ROC curve of the attribution as a detector of mask pixels, i.e. P(a_in > a_out) +
 * ½ P(a_in = a_out) (higher is better; 0.5 is chance).
 */
export async function localisationAuc(model: Model, input: tf.Tensor, attributions: AttributionSource, options: LocalisationAucOptions): Promise<MetricResult> {
  const { ctx, a, s } = await localisationInputs(model, input, attributions, options, 'localisationAuc', false);
  const scores = a.map((v, i) => rocAuc(v, s[i].map((u) => (u ? 1 : 0))));
  return metricResult(ctx, 'localisation-auc', 'higher', scores);
}
