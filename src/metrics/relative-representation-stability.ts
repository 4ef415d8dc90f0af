import type * as tf from '@tensorflow/tfjs';
import { checkDifferentiable, checkLayer } from '../core/validate.js';
import type { Model } from '../core/model.js';
import { copyOutputs, relativeChange, relativeStability, type RelativeStabilityOptions } from './relative-input-stability.js';
import type { Explainer, MetricResult } from './result.js';

/** Options of `relativeRepresentationStability`. */
export interface RelativeRepresentationStabilityOptions extends RelativeStabilityOptions {
  /** The internal layer compared (default: the second-to-last layer). */
  readonly layer?: string;
}

/**
 * Relative representation stability (Agarwal et al. 2022): max over copies x′ of ‖(e − e′)/e‖ /
 * max(‖(L(x) − L(x′))/L(x)‖, ε), L an internal layer's output (lower is better).
 */
export async function relativeRepresentationStability(model: Model, input: tf.Tensor, method: Explainer, options: RelativeRepresentationStabilityOptions = {}): Promise<MetricResult> {
  const fn = 'relativeRepresentationStability';
  checkDifferentiable(model, fn);
  const layer = options.layer ?? model.layers[Math.max(0, model.layers.length - 2)]?.name;
  checkLayer(model, layer ?? '', fn);
  return relativeStability(model, input, method, options, fn, 'relative-representation-stability', async (ctx, xs) => {
    const { original, copies } = await copyOutputs(ctx, xs, layer as string);
    return (i, s) => relativeChange(original[i], copies[i][s]);
  });
}
