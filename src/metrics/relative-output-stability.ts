import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { l2 } from './perturbed-explanations.js';
import { copyOutputs, relativeStability, type RelativeStabilityOptions } from './relative-input-stability.js';
import type { Explainer, MetricResult } from './result.js';

/** Options of `relativeOutputStability`. */
export type RelativeOutputStabilityOptions = RelativeStabilityOptions;

/**
 * Relative output stability (Agarwal et al. 2022): max over copies x′ of ‖(e − e′)/e‖ /
 * max(‖h(x) − h(x′)‖, ε), h the model's outputs (logits) (lower is better).
 */
export async function relativeOutputStability(model: Model, input: tf.Tensor, method: Explainer, options: RelativeOutputStabilityOptions = {}): Promise<MetricResult> {
  return relativeStability(model, input, method, options, 'relativeOutputStability', 'relative-output-stability', async (ctx, xs) => {
    const { original, copies } = await copyOutputs(ctx, xs, null);
    return (i, s) => l2(original[i], copies[i][s]);
  });
}
