import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { removeAndRetrain, type RemoveAndRetrainOptions } from './remove-and-retrain.js';
import type { AttributionSource, MetricResult } from './result.js';

/** Options of `kar`. */
export type KarOptions = RemoveAndRetrainOptions;

/**
 * KAR, Keep And Retrain (Hooker et al., NeurIPS 2019): ROAR's complement — only the top t of pixels
 * by attribution are kept, the rest replaced by the per-channel mean, before retraining a fresh
 * model (`details.accuracy` per fraction). The aggregate is the mean accuracy over the fractions
 * (higher is better: the kept pixels alone carry the label).
 */
export async function kar(model: Model, input: tf.Tensor, attributions: AttributionSource, options: KarOptions): Promise<MetricResult> {
  return removeAndRetrain(model, input, attributions, options, true);
}
