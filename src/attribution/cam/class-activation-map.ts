import * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../../core/attribution.js';
import { check } from '../../core/errors.js';
import { gradientAtInputs, gradientSpace } from '../../core/gradients.js';
import type { Model } from '../../core/model.js';
import { prepareGradient } from '../../core/prepare.js';
import { classTarget } from '../../core/target.js';
import { camAttribution, camLayerOf, camUpsampleOf, type CamLayerOptions } from './feature-maps.js';

/** Options of `classActivationMap`; `layer` defaults to the layer feeding the global average pooling. */
export interface ClassActivationMapOptions extends CamLayerOptions {}

/** Layer kinds that compute global average pooling. */
const GAP_KINDS = ['GlobalAveragePooling2D'];

/**
 * CAM: Σ_c w_c A_c, the feature maps A that feed a global-average-pooling layer weighted by the
 * target class's weights w in the dense layer after it (Zhou et al., "Learning Deep Features for
 * Discriminative Localization", CVPR 2016). The weights are read as ∂y/∂GAP(A), which is exactly
 * the dense layer's class column when the head after the pooling is affine; a head that is not
 * affine (a softmax, a hidden layer) is a LumenError, as is a model without global average pooling.
 * Values are `[N, h, w, 1]`, or `[N, H, W, 1]` when upsampled; equal to h·w times Grad-CAM without ReLU.
 */
export async function classActivationMap(model: Model, input: tf.Tensor, options: ClassActivationMapOptions = {}): Promise<Attribution> {
  const fn = 'classActivationMap';
  const gapAt = model.layers.map((l) => GAP_KINDS.includes(l.kind)).lastIndexOf(true);
  check(gapAt >= 0, 'model', () =>
    `${fn}: CAM needs a model with global average pooling before its last dense layer; model '${model.name}' has no GlobalAveragePooling2D layer (use grad-cam, which works on any convolutional model)`);
  const gap = model.layers[gapAt].name;
  check(gapAt > 0 || options.layer !== undefined, 'model', () => `${fn}: the global average pooling '${gap}' reads the model input; there is no feature map to weigh`);
  const layer = camLayerOf(model, options.layer ?? model.layers[gapAt - 1].name, fn);
  const upsample = camUpsampleOf(model, options, fn);
  const ctx = await prepareGradient(model, input, { ...options, layer: gap }, fn);
  const [maps, pooled] = tf.tidy(() => {
    const { captured } = model.run(input, { capture: [layer, gap] });
    return [captured[layer].clone() as tf.Tensor4D, captured[gap].clone()];
  });
  try {
    const sameSize = maps.shape[0] * maps.shape[3] === pooled.size;
    const [meanGap, pooledScale] = sameSize
      ? await readScalars(tf.tidy(() => {
          const mean = maps.mean([1, 2]);
          return tf.stack([mean.sub(pooled.reshape(mean.shape)).abs().max(), pooled.abs().max()]);
        }))
      : [Infinity, 0];
    check(meanGap <= 1e-4 * pooledScale + 1e-6, 'layer', () =>
      `${fn}: layer '${layer}' does not feed the global average pooling '${gap}': its spatial mean [${maps.shape[3]}] is not the pooled output [${pooled.shape.slice(1)}]`);
    // The class weights are ∂y/∂GAP(A); they are the same at the pooled features and at zero iff the head is affine.
    const zero = tf.zerosLike(pooled);
    const [inputs2, points2] = tf.tidy(() => [tf.concat([input, input]), tf.concat([pooled, zero])]);
    const classes = ctx.target.classes;
    const target2 = classes ? classTarget([...classes, ...classes]) : ctx.target;
    const at = await gradientAtInputs(ctx.space, inputs2, points2, target2, ctx.batchSize, options, fn).finally(() => tf.dispose([zero, inputs2, points2]));
    const weights = tf.tidy(() => at.sum.slice([0], [ctx.n]));
    const [headGap, scale] = await readScalars(tf.tidy(() => tf.stack([weights.sub(at.sum.slice([ctx.n])).abs().max(), weights.abs().max()])));
    at.sum.dispose();
    if (!(headGap <= 1e-4 * scale + 1e-6)) weights.dispose();
    check(headGap <= 1e-4 * scale + 1e-6, 'model', () =>
      `${fn}: the layers after '${gap}' are not affine (the target's weights change with the pooled features by ${headGap.toExponential(2)}); CAM needs GAP followed by one dense layer of logits (use grad-cam)`);
    const cam = tf.tidy(() => maps.mul(weights.reshape([ctx.n, 1, 1, -1])).sum(-1, true) as tf.Tensor4D);
    weights.dispose();
    return await camAttribution('cam', fn, cam, false, upsample, model, ctx.target.classes, { layer, pooling: gap, upsample, modelCalls: at.calls + 1 });
  } finally {
    tf.dispose([maps, pooled]);
  }
}

/** Reads a small tensor's values and disposes it. */
async function readScalars(t: tf.Tensor): Promise<number[]> {
  const values = Array.from(await t.data());
  t.dispose();
  return values;
}
