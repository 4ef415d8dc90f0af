import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { batchSizeOf, checkAborted, forEachBatch } from '../../core/batching.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { LayerOption, LocalOptions } from '../../core/options.js';
import { checkDifferentiable, checkInput, checkLayer } from '../../core/validate.js';

/** Options of `layerActivation`; `layer` is required. */
export interface LayerActivationOptions extends LocalOptions, LayerOption {}

/**
 * Layer activation: the output of a named layer for each example (Captum's LayerActivation), the
 * plainest view of what a layer computes; the values have the layer's shape. Forward passes of
 * `batchSize` examples each.
 */
export async function layerActivation(model: Model, input: tf.Tensor, options: LayerActivationOptions = {}): Promise<Attribution> {
  const fn = 'layerActivation';
  const layer = options.layer;
  check(layer !== undefined, 'option', () => `${fn}: the 'layer' option is required; the model's layers are ${model.layers.map((l) => l.name).join(', ')}`);
  checkDifferentiable(model, fn);
  checkInput(model, input, fn);
  checkLayer(model, layer, fn);
  const batchSize = batchSizeOf(model, options, fn);
  checkAborted(options, fn);
  const parts: tf.Tensor[] = [];
  try {
    const calls = await forEachBatch(input.shape[0], batchSize, options, fn, (start, end) => {
      parts.push(tf.tidy(() => model.run(input.slice(start, end - start), { capture: [layer] }).captured[layer].clone()));
    });
    const values = parts.length === 1 ? parts[0] : tf.concat(parts);
    if (parts.length > 1) tf.dispose(parts);
    return makeAttribution('layer-activation', values, null, { layer, modelCalls: calls });
  } catch (e) {
    tf.dispose(parts);
    throw e;
  }
}
