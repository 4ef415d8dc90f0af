import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { check } from '../../core/errors.js';
import { gradientAtInputs } from '../../core/gradients.js';
import type { Model } from '../../core/model.js';
import type { LayerOption, LocalOptions } from '../../core/options.js';
import { prepareGradient } from '../../core/prepare.js';

/** Options of `saliency`. */
export interface SaliencyOptions extends LocalOptions, LayerOption {
  /** 'absolute' |∂f/∂x| (Simonyan et al.; Captum's default), 'signed' ∂f/∂x, or 'squared' (∂f/∂x)². */
  readonly mode?: 'absolute' | 'signed' | 'squared';
}

/**
 * Saliency: the gradient of the target with respect to the input (or a layer's output), as
 * defined by Simonyan, Vedaldi & Zisserman, "Deep Inside Convolutional Networks" (2014).
 * With `layer`, it is the layer gradient.
 */
export async function saliency(model: Model, input: tf.Tensor, options: SaliencyOptions = {}): Promise<Attribution> {
  const fn = 'saliency';
  const mode = options.mode ?? 'absolute';
  check(['absolute', 'signed', 'squared'].includes(mode), 'option', () => `${fn}: mode must be 'absolute', 'signed' or 'squared'; found '${mode}'`);
  const ctx = await prepareGradient(model, input, options, fn);
  const at = tf.tidy(() => ctx.space.valuesAt(input));
  const { sum, calls } = await gradientAtInputs(ctx.space, input, at, ctx.target, ctx.batchSize, options, fn);
  at.dispose();
  const values = mode === 'signed' ? sum : tf.tidy(() => (mode === 'absolute' ? sum.abs() : sum.square()));
  if (values !== sum) sum.dispose();
  return makeAttribution('saliency', values, ctx.target.classes, { mode, modelCalls: calls, ...(ctx.space.layer ? { layer: ctx.space.layer } : {}) });
}
