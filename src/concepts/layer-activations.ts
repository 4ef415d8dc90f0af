import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { Model } from '../core/model.js';
import type { ActivationMatrix } from './activation-matrix.js';

/**
 * Every dataset row's activations at each named layer, flattened to [rows × units] float64 in
 * dataset order: one forward pass per batch captures all the layers at once ('input': the rows,
 * which need no model).
 */
export async function layerActivations(model: Model | null, data: Dataset, layers: readonly string[], options: { readonly batchSize?: number; readonly signal?: AbortSignal; readonly what?: string } = {}): Promise<Record<string, ActivationMatrix>> {
  const what = options.what ?? 'layerActivations';
  check(layers.length > 0, 'option', () => `${what}: expected at least one layer`);
  const internal = layers.filter((l) => l !== 'input');
  if (internal.length) {
    check(model !== null, 'option', () => `${what}: layer '${internal[0]}' needs a model`);
    check(model.differentiable, 'model', () => `${what}: layers need a model with layers; '${model.name}' is a black box (use 'input')`);
    const known = new Set(model.layers.map((l) => l.name));
    const unknown = internal.filter((l) => !known.has(l));
    check(unknown.length === 0, 'layer', () => `${what}: no layer named ${unknown.map((l) => `'${l}'`).join(', ')}; expected one of ${[...known].slice(0, 20).join(', ')}`);
  }
  const out: Record<string, { cols: number; data: Float64Array | null }> = Object.fromEntries(layers.map((l) => [l, { cols: 0, data: null }]));
  for await (const batch of data.batches(options.batchSize ?? 256)) {
    try {
      if (options.signal?.aborted) throw new LumenError('aborted', `${what}: aborted`);
      const flat = tf.tidy(() => {
        const captured = internal.length && model ? model.run(batch.x, { capture: internal }).captured : {};
        return layers.map((l) => tf.reshape(l === 'input' ? batch.x : captured[l], [batch.x.shape[0], -1]) as tf.Tensor2D);
      });
      for (let i = 0; i < layers.length; i++) {
        const slot = out[layers[i]];
        const d = flat[i].shape[1];
        slot.cols = d;
        slot.data ??= new Float64Array(data.size * d);
        const values = await flat[i].data();
        batch.index.forEach((row, k) => slot.data?.set(values.subarray(k * d, (k + 1) * d), row * d));
      }
      tf.dispose(flat);
    } finally {
      batch.x.dispose();
      batch.y?.dispose();
    }
  }
  return Object.fromEntries(layers.map((l) => [l, { rows: data.size, cols: out[l].cols, data: out[l].data ?? new Float64Array(0) }]));
}

/** The integer labels of every dataset row (its `y`: class indices, or one-hot rows' argmax). */
export async function datasetLabels(data: Dataset, what: string): Promise<number[]> {
  const labels = new Array<number>(data.size);
  for await (const batch of data.batches(256)) {
    try {
      check(batch.y !== undefined, 'input', () => `${what}: the dataset has no labels (y); expected a class per row`);
      const y = batch.y.rank > 1 && batch.y.shape[batch.y.rank - 1] > 1 ? tf.tidy(() => tf.argMax(batch.y as tf.Tensor, -1)) : tf.reshape(batch.y, [-1]);
      const v = await y.data();
      if (y !== batch.y) y.dispose();
      batch.index.forEach((row, k) => (labels[row] = Math.round(v[k])));
    } finally {
      batch.x.dispose();
      batch.y?.dispose();
    }
  }
  return labels;
}
