import * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../../core/attribution.js';
import type { Model } from '../../core/model.js';
import { gradientCam, type CamLayerOptions } from './feature-maps.js';

/** Options of `gradCam`. */
export interface GradCamOptions extends CamLayerOptions {
  /** Keep only the positive evidence, ReLU(Σ_c w_c A_c), as the paper does; default true. Captum's `relu_attributions` (its default is false). */
  readonly relu?: boolean;
}

/** Grad-CAM's channel weights: the gradient averaged over each channel's locations. */
const channelMeanGradient = (_activations: tf.Tensor4D, gradients: tf.Tensor4D): tf.Tensor => gradients.mean([1, 2], true);

/**
 * Grad-CAM: Σ_c w_c A_c with w_c = mean_{h,w} ∂y/∂A_c, the target's gradient averaged over each
 * channel of a convolutional feature map A (Selvaraju et al., "Grad-CAM: Visual Explanations from
 * Deep Networks via Gradient-based Localization", 2017), then ReLU and resized to the input.
 * Captum's LayerGradCam is `{relu: false, upsample: 'none'}`; values are `[N, h, w, 1]`, or
 * `[N, H, W, 1]` when upsampled.
 */
export async function gradCam(model: Model, input: tf.Tensor, options: GradCamOptions = {}): Promise<Attribution> {
  const relu = options.relu ?? true;
  return gradientCam({ id: 'grad-cam', fn: 'gradCam', weighting: channelMeanGradient, relu, meta: { relu } }, model, input, options);
}
