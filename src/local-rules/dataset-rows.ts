import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';

/**
 * The rows `indices` of a Dataset as one tensor `[indices.length, ...inputShape]` (the caller
 * disposes it), read batch by batch; an index out of range is a LumenError.
 */
export async function datasetRows(data: Dataset, indices: readonly number[], fn: string): Promise<tf.Tensor> {
  check(indices.length > 0, 'option', () => `${fn}: expected at least one row index; found none`);
  for (const i of indices) check(Number.isInteger(i) && i >= 0 && i < data.size, 'option', () => `${fn}: row index must be an integer in [0, ${data.size - 1}]; found ${i}`);
  const per = data.inputShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(indices.length * per);
  const wanted = new Map<number, number[]>();
  indices.forEach((row, k) => wanted.set(row, [...(wanted.get(row) ?? []), k]));
  for await (const batch of data.batches(256)) {
    try {
      const hits = batch.index.filter((i) => wanted.has(i));
      if (hits.length === 0) continue;
      const values = await batch.x.data();
      batch.index.forEach((row, b) => {
        for (const k of wanted.get(row) ?? []) out.set(values.subarray(b * per, (b + 1) * per), k * per);
      });
    } finally {
      tf.dispose([batch.x, ...(batch.y ? [batch.y] : [])]);
    }
  }
  return tf.tensor(out, [indices.length, ...data.inputShape]);
}
