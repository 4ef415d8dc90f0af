import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { gradientAtInputs } from '../../core/gradients.js';
import type { Model } from '../../core/model.js';
import type { LayerOption, LocalOptions } from '../../core/options.js';
import { prepareGradient } from '../../core/prepare.js';

/** Options of `inputXGradient`. */
export interface InputXGradientOptions extends LocalOptions, LayerOption {}

/**
 * Input × gradient: x ⊙ ∂f/∂x (Shrikumar et al., "Not Just a Black Box", 2016). With `layer`, it
 * is layer gradient × activation: a ⊙ ∂f/∂a for the layer's output a.
 */
export async function inputXGradient(model: Model, input: tf.Tensor, options: InputXGradientOptions = {}): Promise<Attribution> {
  const fn = 'inputXGradient';
  const ctx = await prepareGradient(model, input, options, fn);
  const at = tf.tidy(() => ctx.space.valuesAt(input));
  const { sum, calls } = await gradientAtInputs(ctx.space, input, at, ctx.target, ctx.batchSize, options, fn);
  const values = tf.mul(sum, at);
  tf.dispose([sum, at]);
  return makeAttribution('input-x-gradient', values, ctx.target.classes, { modelCalls: calls, ...(ctx.space.layer ? { layer: ctx.space.layer } : {}) });
}
