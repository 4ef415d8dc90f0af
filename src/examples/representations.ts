import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
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
