import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { removeAndRetrain, type RemoveAndRetrainOptions } from './remove-and-retrain.js';
import type { AttributionSource, MetricResult } from './result.js';

/** Options of `roar`. */
export type RoarOptions = RemoveAndRetrainOptions;

/**
 * ROAR, RemOve And Retrain (Hooker et al., "A Benchmark for Interpretability Methods in Deep Neural
 * Networks", NeurIPS 2019): for each fraction t the top t of pixels by attribution are replaced by
 * the per-channel mean in training and test images, a fresh model is retrained, and its test
 * accuracy recorded (`details.accuracy` per fraction). Score per input: the share of retrained
 * models that still classify it correctly; the aggregate is the mean accuracy over the fractions
 * (lower is better: removing what a faithful method marks destroys the most information).
 */
export async function roar(model: Model, input: tf.Tensor, attributions: AttributionSource, options: RoarOptions): Promise<MetricResult> {
  return removeAndRetrain(model, input, attributions, options, false);
}
