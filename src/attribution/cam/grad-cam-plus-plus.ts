import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import type { Model } from '../../core/model.js';
import { prepareGradient } from '../../core/prepare.js';
import { camGradients, camLayerOf, camUpsampleOf, finishCam, type CamLayerOptions } from './feature-maps.js';

/** Options of `gradCamPlusPlus` (the shared CAM options: `layer`, `upsample`). */
export interface GradCamPlusPlusOptions extends CamLayerOptions {}

/**
 * Grad-CAM++: ReLU(Σ_c w_c A_c) with w_c = Σ_{ij} α_ij ReLU(g_ij) and
 * α_ij = g_ij² / (2 g_ij² + Σ_ab A_ab · g_ij³), g = ∂y/∂A_c — the closed form of the paper's
 * higher-order weights for an exponentiated score (Chattopadhyay et al., "Grad-CAM++: Improved
 * Visual Explanations for Deep Convolutional Networks", WACV 2018, eq. 19); α = 0 where the
 * denominator is 0. Values are `[N, h, w, 1]`, or `[N, H, W, 1]` when upsampled.
 */
export async function gradCamPlusPlus(model: Model, input: tf.Tensor, options: GradCamPlusPlusOptions = {}): Promise<Attribution> {
  const fn = 'gradCamPlusPlus';
  const layer = camLayerOf(model, options.layer, fn);
  const upsample = camUpsampleOf(model, options, fn);
  const ctx = await prepareGradient(model, input, { ...options, layer }, fn);
  const { activations: a, gradients: g, calls } = await camGradients(ctx, input, options, fn);
  const cam = tf.tidy(() => {
    const g2 = g.square();
    const denominator = g2.mul(2).add(a.sum([1, 2], true).mul(g2.mul(g)));
    const nonzero = denominator.notEqual(0);
    const alpha = tf.where(nonzero, g2.div(tf.where(nonzero, denominator, tf.onesLike(denominator))), tf.zerosLike(g2));
    const weights = alpha.mul(tf.relu(g)).sum([1, 2], true);
    return weights.mul(a).sum(-1, true) as tf.Tensor4D;
  });
  const values = finishCam(cam, true, upsample, model.inputShape);
  tf.dispose([a, g, cam]);
  return makeAttribution('grad-cam-plus-plus', values, ctx.target.classes, { layer, upsample, modelCalls: calls });
}
