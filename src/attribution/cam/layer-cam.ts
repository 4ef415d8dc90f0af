import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import type { Model } from '../../core/model.js';
import { prepareGradient } from '../../core/prepare.js';
import { camGradients, camLayerOf, camUpsampleOf, finishCam, type CamLayerOptions } from './feature-maps.js';

/** Options of `layerCam` (the shared CAM options: `layer`, `upsample`). */
export interface LayerCamOptions extends CamLayerOptions {}

/**
 * Layer-CAM: ReLU(Σ_c ReLU(∂y/∂A_c) ⊙ A_c), each location weighted by its own positive gradient
 * instead of a channel average, which keeps fine detail in shallow layers (Jiang et al.,
 * "LayerCAM: Exploring Hierarchical Class Activation Maps for Localization", IEEE TIP 2021).
 * Values are `[N, h, w, 1]`, or `[N, H, W, 1]` when upsampled.
 */
export async function layerCam(model: Model, input: tf.Tensor, options: LayerCamOptions = {}): Promise<Attribution> {
  const fn = 'layerCam';
  const layer = camLayerOf(model, options.layer, fn);
  const upsample = camUpsampleOf(model, options, fn);
  const ctx = await prepareGradient(model, input, { ...options, layer }, fn);
  const { activations, gradients, calls } = await camGradients(ctx, input, options, fn);
  const cam = tf.tidy(() => tf.relu(gradients).mul(activations).sum(-1, true) as tf.Tensor4D);
  const values = finishCam(cam, true, upsample, model.inputShape);
  tf.dispose([activations, gradients, cam]);
  return makeAttribution('layer-cam', values, ctx.target.classes, { layer, upsample, modelCalls: calls });
}
