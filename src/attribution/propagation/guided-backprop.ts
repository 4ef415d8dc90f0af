import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { gradientAtInputs } from '../../core/gradients.js';
import type { Model } from '../../core/model.js';
import type { LayerOption, LocalOptions } from '../../core/options.js';
import { prepareGradient } from '../../core/prepare.js';
import type { Rule } from '../../core/rules.js';
import { GUIDED_RULE, reluRuleSet } from './relu-rules.js';

/** Options of `guidedBackprop` and `deconvolution`. */
export type GuidedBackpropOptions = LocalOptions & LayerOption;

/** The gradient of the target with the backward pass of every ReLU-like activation replaced by `rule`. */
export async function reluMaskedGradient(id: string, rule: Rule, model: Model, input: tf.Tensor, options: GuidedBackpropOptions): Promise<Attribution> {
  const ctx = await prepareGradient(model, input, options, id, reluRuleSet(rule));
  const at = tf.tidy(() => ctx.space.valuesAt(input));
  try {
    const { sum, calls } = await gradientAtInputs(ctx.space, input, at, ctx.target, ctx.batchSize, options, id);
    return makeAttribution(id, sum, ctx.target.classes, { modelCalls: calls, ...(ctx.space.layer ? { layer: ctx.space.layer } : {}) });
  } finally {
    at.dispose();
  }
}

/**
 * Guided backpropagation (Springenberg et al., "Striving for Simplicity: The All Convolutional
 * Net", 2015): the input gradient with each ReLU's backward pass keeping only positive upstream
 * gradients where its input was positive. As Captum's GuidedBackprop, every other op keeps its
 * gradient; with `layer`, the attribution is at that layer's output.
 */
export function guidedBackprop(model: Model, input: tf.Tensor, options: GuidedBackpropOptions = {}): Promise<Attribution> {
  return reluMaskedGradient('guided-backprop', GUIDED_RULE, model, input, options);
}
