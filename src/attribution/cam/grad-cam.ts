import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import type { Model } from '../../core/model.js';
import { prepareGradient } from '../../core/prepare.js';
import { camGradients, camLayerOf, camUpsampleOf, finishCam, type CamLayerOptions } from './feature-maps.js';

/** Options of `gradCam`. */
export interface GradCamOptions extends CamLayerOptions {
  /** Keep only the positive evidence, ReLU(Σ_c w_c A_c), as the paper does; default true. Captum's `relu_attributions` (its default is false). */
  readonly relu?: boolean;
}

/**
 * Grad-CAM: Σ_c w_c A_c with w_c = mean_{h,w} ∂y/∂A_c, the target's gradient averaged over each
 * channel of a convolutional feature map A (Selvaraju et al., "Grad-CAM: Visual Explanations from
 * Deep Networks via Gradient-based Localization", 2017), then ReLU and resized to the input.
 * Captum's LayerGradCam is `{relu: false, upsample: 'none'}`; values are `[N, h, w, 1]`, or
 * `[N, H, W, 1]` when upsampled.
 */
export async function gradCam(model: Model, input: tf.Tensor, options: GradCamOptions = {}): Promise<Attribution> {
  const fn = 'gradCam';
  const layer = camLayerOf(model, options.layer, fn);
  const upsample = camUpsampleOf(model, options, fn);
  const relu = options.relu ?? true;
  const ctx = await prepareGradient(model, input, { ...options, layer }, fn);
  const { activations, gradients, calls } = await camGradients(ctx, input, options, fn);
  const cam = tf.tidy(() => gradients.mean([1, 2], true).mul(activations).sum(-1, true) as tf.Tensor4D);
  const values = finishCam(cam, relu, upsample, model.inputShape);
  tf.dispose([activations, gradients, cam]);
  return makeAttribution('grad-cam', values, ctx.target.classes, { layer, relu, upsample, modelCalls: calls });
}
