import type * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../../core/attribution.js';
import type { Model } from '../../core/model.js';
import { reluMaskedGradient, type GuidedBackpropOptions } from './guided-backprop.js';
import { DECONV_RULE } from './relu-rules.js';

/** Options of `deconvolution`. */
export type DeconvolutionOptions = GuidedBackpropOptions;

/**
 * Deconvnet (Zeiler & Fergus, "Visualizing and Understanding Convolutional Networks", 2014): the
 * input gradient with each ReLU's backward pass replaced by the ReLU of the upstream signal,
 * ignoring the forward pass's mask (Captum's Deconvolution).
 */
export function deconvolution(model: Model, input: tf.Tensor, options: DeconvolutionOptions = {}): Promise<Attribution> {
  return reluMaskedGradient('deconvolution', DECONV_RULE, model, input, options);
}
