import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import { layerActivations } from '../concepts/layer-activations.js';
import type { Dataset } from '../core/dataset.js';
import type { Model } from '../core/model.js';

/** The flattened representation `[N, D]` of rows in a layer ('input': the rows themselves), float32. */
export function layerRepresentation(model: Model, x: tf.Tensor, layer: string): tf.Tensor2D {
  return tf.tidy(() => {
    if (layer === 'input') return tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
    check(model.differentiable, 'model', () => `layer representations need a model with layers; '${model.name}' is a black box (use layer 'input')`);
    const h = model.run(x, { capture: [layer] }).captured[layer];
    return tf.reshape(h, [x.shape[0], -1]) as tf.Tensor2D;
  });
}

/**
 * Every row's representation `[n, d]` (float64, row-major, in dataset order), read one batch at a
 * time: the rows themselves for 'input' (no model needed), else the layer's outputs.
 */
export async function collectRepresentations(model: Model | null, data: Dataset, options: { readonly layer?: string; readonly batchSize?: number; readonly signal?: AbortSignal }, what: string): Promise<{ z: Float64Array; d: number }> {
  const layer = options.layer ?? 'input';
  const m = (await layerActivations(model, data, [layer], { batchSize: options.batchSize, signal: options.signal, what }))[layer];
  return { z: m.data, d: m.cols };
}
