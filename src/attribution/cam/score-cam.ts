import * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../../core/attribution.js';
import { batchSizeOf, forEachBatch } from '../../core/batching.js';
import type { Model } from '../../core/model.js';
import { check } from '../../core/errors.js';
import { resolveTarget } from '../../core/target.js';
import { checkInput } from '../../core/validate.js';
import { camAttribution, camLayerOf, camUpsampleMaps, camUpsampleOf, type CamLayerOptions } from './feature-maps.js';

/** Options of `scoreCam`; `batchSize` is the number of masked copies per forward pass. */
export interface ScoreCamOptions extends CamLayerOptions {}

/**
 * Score-CAM: ReLU(Σ_k α_k A_k) with α = softmax_k(y(x ⊙ M_k)), where M_k is channel k of the
 * feature map, upsampled (bilinear) to the input and min–max normalised to [0, 1], and y the
 * target's score on the masked input — a gradient-free CAM (Wang et al., "Score-CAM:
 * Score-Weighted Visual Explanations for Convolutional Neural Networks", CVPRW 2020). The N·C masked
 * copies go through `model.predict` in batches of `batchSize`. No gradients: the model need only
 * capture the layer's activations (`run(x, {capture})`), so a non-differentiable model that exposes
 * its layers works too; a black box without layers is a LumenError. A constant map gives a zero
 * mask. Values are `[N, h, w, 1]`, or `[N, H, W, 1]` when upsampled.
 */
export async function scoreCam(model: Model, input: tf.Tensor, options: ScoreCamOptions = {}): Promise<Attribution> {
  const fn = 'scoreCam';
  check(model.layers.length > 0, 'model', () =>
    `${fn}: needs the activations of a convolutional layer (captured by model.run); model '${model.name}' exposes no layers (a black box made by fromFunction or onnxruntime): use a model whose layers can be captured, or a perturbation method such as occlusion or rise`);
  const layer = camLayerOf(model, options.layer, fn);
  const upsample = camUpsampleOf(model, options, fn);
  check(model.inputShape.length === 3, 'model', () => `${fn}: masks an image input [H, W, C]; the model's input is [${model.inputShape}]`);
  checkInput(model, input, fn);
  const batchSize = batchSizeOf(model, options, fn);
  const target = await resolveTarget(model, input, options.target, fn);
  const n = input.shape[0];
  const maps = tf.tidy(() => model.run(input, { capture: [layer] }).captured[layer]) as tf.Tensor4D;
  const channels = maps.shape[3];
  const total = n * channels;
  const scores = new Float32Array(total);
  try {
    const calls = await forEachBatch(total, batchSize, options, fn, async (start, end) => {
      const examples = Int32Array.from({ length: end - start }, (_, i) => Math.floor((start + i) / channels));
      const masked = tf.tidy(() => maskedCopies(input, maps, start, end));
      const out = await model.predict(masked).finally(() => masked.dispose());
      const y = tf.tidy(() => target.select(out, examples));
      out.dispose();
      scores.set(await y.data(), start);
      y.dispose();
    });
    const cam = tf.tidy(() => {
      const alpha = tf.softmax(tf.tensor2d(scores, [n, channels]));
      return maps.mul(alpha.reshape([n, 1, 1, channels])).sum(-1, true) as tf.Tensor4D;
    });
    return await camAttribution('score-cam', fn, cam, true, upsample, model, target.classes, { layer, upsample, modelCalls: calls + 1 });
  } finally {
    maps.dispose();
  }
}

/**
 * Rows start…end−1 of the N·C masked inputs (row r = example ⌊r/C⌋ times its mask of channel r mod C),
 * built per example so that at most one batch of upsampled masks exists at a time.
 */
function maskedCopies(input: tf.Tensor, maps: tf.Tensor4D, start: number, end: number): tf.Tensor {
  const [, h, w, channels] = maps.shape;
  const parts: tf.Tensor[] = [];
  for (let r = start; r < end; ) {
    const e = Math.floor(r / channels);
    const k0 = r % channels;
    const k1 = Math.min(channels, k0 + (end - r));
    const chosen = maps.slice([e, 0, 0, k0], [1, h, w, k1 - k0]).transpose([3, 1, 2, 0]) as tf.Tensor4D;
    const up = camUpsampleMaps(chosen, 'bilinear', input.shape.slice(1));
    const low = up.min([1, 2, 3], true);
    const range = up.max([1, 2, 3], true).sub(low);
    const safe = tf.where(range.greater(0), range, tf.onesLike(range));
    const masks = up.sub(low).div(safe); // a constant map is 0 − 0: a zero mask
    parts.push(input.slice([e], [1]).mul(masks));
    r += k1 - k0;
  }
  return parts.length === 1 ? parts[0] : tf.concat(parts);
}
