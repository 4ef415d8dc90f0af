import * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { outputKindOf } from '../core/model.js';
import { withForwardEngine } from '../engine/ort/with-engine.js';

/**
 * The class the model predicts for each of `n` flattened inputs, `batchSize` rows per model call:
 * the arg-max output, or for a one-output model the side of 0.5 (probabilities) or 0 (logits).
 * Returns the labels and the number of model calls made. Float inputs go through onnxruntime when
 * the model's graph translates (engine/ort `withForwardEngine`: forward passes only).
 */
export async function predictedLabels(model: Model, inputs: Float32Array, n: number, dtype: 'float32' | 'int32', batchSize: number): Promise<{ labels: Int32Array; calls: number }> {
  const per = inputs.length / Math.max(1, n);
  const labels = new Int32Array(n);
  const cut = outputKindOf(model) === 'probabilities' ? 0.5 : 0;
  let calls = 0;
  const runner = dtype === 'float32' ? withForwardEngine(model).model : model;
  for (let start = 0; start < n; start += batchSize) {
    const m = Math.min(batchSize, n - start);
    const slice = inputs.subarray(start * per, (start + m) * per);
    const x = dtype === 'int32' ? tf.tensor(Int32Array.from(slice), [m, ...model.inputShape], 'int32') : tf.tensor(slice, [m, ...model.inputShape]);
    let out: tf.Tensor | undefined;
    try {
      out = await runner.predict(x);
      calls++;
      const values = await out.data();
      const k = values.length / m;
      for (let i = 0; i < m; i++) {
        if (k === 1) { labels[start + i] = values[i] > cut ? 1 : 0; continue; }
        let best = 0;
        for (let c = 1; c < k; c++) if (values[i * k + c] > values[i * k + best]) best = c;
        labels[start + i] = best;
      }
    } finally {
      tf.dispose([x, ...(out ? [out] : [])]);
    }
  }
  return { labels, calls };
}
