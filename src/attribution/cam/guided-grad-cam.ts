import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import { resolveTarget } from '../../core/target.js';
import { guidedBackprop } from '../propagation/guided-backprop.js';
import type { LocalOptions } from '../../core/options.js';
import { gradCam } from './grad-cam.js';

/** Options of `guidedGradCam`. */
export interface GuidedGradCamOptions extends LocalOptions {
  /** The feature-map layer of the Grad-CAM; default: the last layer with output [H, W, C]. */
  readonly layer?: string;
  /** How the Grad-CAM is resized to the input: 'nearest' (Captum's default) or 'bilinear'. */
  readonly upsample?: 'nearest' | 'bilinear';
}

/**
 * Guided Grad-CAM: guided backpropagation ⊙ Grad-CAM (with ReLU) resized to the input, broadcast
 * over the input's channels — class-discriminative and fine-grained (Selvaraju et al., "Grad-CAM:
 * Visual Explanations from Deep Networks via Gradient-based Localization", 2017; Captum's
 * GuidedGradCam). Values have the input's shape.
 */
export async function guidedGradCam(model: Model, input: tf.Tensor, options: GuidedGradCamOptions = {}): Promise<Attribution> {
  const fn = 'guidedGradCam';
  const upsample = options.upsample ?? 'nearest';
  check(upsample === 'nearest' || upsample === 'bilinear', 'option', () => `${fn}: upsample must be 'nearest' or 'bilinear'; found '${String(upsample)}'`);
  const { layer, upsample: _upsample, ...rest } = options;
  const target = typeof options.target === 'function' ? options.target : (await resolveTarget(model, input, options.target, fn)).classes ?? undefined;
  const cam = await gradCam(model, input, { ...rest, target, relu: true, upsample, ...(layer !== undefined ? { layer } : {}) });
  let guided: Attribution | null = null;
  try {
    guided = await guidedBackprop(model, input, { ...rest, target });
    const g = guided.values;
    check(g.shape.length === 4, 'shape', () => `${fn}: guided backpropagation returned [${g.shape}]; expected an image [N, H, W, C]`);
    const values = tf.tidy(() => g.mul(cam.values));
    const calls = Number(cam.meta.modelCalls ?? 0) + Number(guided.meta.modelCalls ?? 0);
    return makeAttribution('guided-grad-cam', values, cam.target, { layer: cam.meta.layer, upsample, modelCalls: calls, ...(cam.meta.warnings ? { warnings: cam.meta.warnings } : {}) });
  } finally {
    cam.dispose();
    guided?.dispose();
  }
}
