import * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../../core/attribution.js';
import type { Model } from '../../core/model.js';
import { gradientCam, type CamLayerOptions } from './feature-maps.js';

/** Options of `gradCamPlusPlus` (the shared CAM options: `layer`, `upsample`). */
export interface GradCamPlusPlusOptions extends CamLayerOptions {}

/** Grad-CAM++'s channel weights Σ_{ij} α_ij ReLU(g_ij), α = 0 where its denominator is 0. */
function higherOrderWeights(a: tf.Tensor4D, g: tf.Tensor4D): tf.Tensor {
  const g2 = g.square();
  const denominator = g2.mul(2).add(a.sum([1, 2], true).mul(g2.mul(g)));
  const nonzero = denominator.notEqual(0);
  const alpha = tf.where(nonzero, g2.div(tf.where(nonzero, denominator, tf.onesLike(denominator))), tf.zerosLike(g2));
  return alpha.mul(tf.relu(g)).sum([1, 2], true);
}

/**
 * Grad-CAM++: ReLU(Σ_c w_c A_c) with w_c = Σ_{ij} α_ij ReLU(g_ij) and
 * α_ij = g_ij² / (2 g_ij² + Σ_ab A_ab · g_ij³), g = ∂y/∂A_c — the closed form of the paper's
 * higher-order weights for an exponentiated score (Chattopadhyay et al., "Grad-CAM++: Improved
 * Visual Explanations for Deep Convolutional Networks", WACV 2018, eq. 19); α = 0 where the
 * denominator is 0. Values are `[N, h, w, 1]`, or `[N, H, W, 1]` when upsampled.
 */
export async function gradCamPlusPlus(model: Model, input: tf.Tensor, options: GradCamPlusPlusOptions = {}): Promise<Attribution> {
  return gradientCam({ id: 'grad-cam-plus-plus', fn: 'gradCamPlusPlus', weighting: higherOrderWeights, relu: true }, model, input, options);
}
