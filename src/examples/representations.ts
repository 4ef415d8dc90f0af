import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
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
  let z: Float64Array | null = null;
  let d = 0;
  for await (const batch of data.batches(options.batchSize ?? 256)) {
    try {
      if (options.signal?.aborted) throw new LumenError('aborted', `${what}: aborted`);
      check(model !== null || layer === 'input', 'option', () => `${what}: layer '${layer}' needs a model`);
      const h = model ? layerRepresentation(model, batch.x, layer) : (batch.x.reshape([batch.x.shape[0], -1]) as tf.Tensor2D);
      d = h.shape[1];
      z ??= new Float64Array(data.size * d);
      const values = await h.data();
      h.dispose();
      batch.index.forEach((row, k) => z?.set(values.subarray(k * d, (k + 1) * d), row * d));
    } finally {
      batch.x.dispose();
      batch.y?.dispose();
    }
  }
  return { z: z ?? new Float64Array(0), d };
}
