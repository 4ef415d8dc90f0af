import * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../../core/attribution.js';
import type { Model } from '../../core/model.js';
import { gradientCam, type CamLayerOptions } from './feature-maps.js';

/** Options of `layerCam` (the shared CAM options: `layer`, `upsample`). */
export interface LayerCamOptions extends CamLayerOptions {}

/** Layer-CAM's weights: each location's own positive gradient. */
const positiveGradient = (_activations: tf.Tensor4D, gradients: tf.Tensor4D): tf.Tensor => tf.relu(gradients);

/**
 * Layer-CAM: ReLU(Σ_c ReLU(∂y/∂A_c) ⊙ A_c), each location weighted by its own positive gradient
 * instead of a channel average, which keeps fine detail in shallow layers (Jiang et al.,
 * "LayerCAM: Exploring Hierarchical Class Activation Maps for Localization", IEEE TIP 2021).
 * Values are `[N, h, w, 1]`, or `[N, H, W, 1]` when upsampled.
 */
export async function layerCam(model: Model, input: tf.Tensor, options: LayerCamOptions = {}): Promise<Attribution> {
  return gradientCam({ id: 'layer-cam', fn: 'layerCam', weighting: positiveGradient, relu: true }, model, input, options);
}
