/**
 * The hidden layers of a dense network, as decompositional rule extraction (CRED: Sato &
 * Tsukimoto 2001; DeepRED: Zilke, Loza Mencía & Janssen 2016) needs them: the representation fed
 * to each linear layer after the first, and its values on a table of rows, read by batched taped
 * forward passes with `capture`. Only chains of dense layers and elementwise layers decompose: any
 * other layer kind (convolutions, pooling, residual adds, attention) and black boxes are refused
 * with a LumenError naming what was found.
 */
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import type { LayerInfo, Model } from '../core/model.js';

/** Linear layers: each one after the first reads a hidden representation. */
const LINEAR_KINDS = new Set(['Dense', 'Gemm', 'MatMul']);

/** Layers that act unit by unit (or not at all) on a vector, so a chain through them stays a dense chain. */
const ELEMENTWISE_KINDS = new Set([
  'InputLayer', 'Activation', 'ReLU', 'Relu', 'LeakyReLU', 'LeakyRelu', 'ELU', 'Elu', 'PReLU', 'Sigmoid', 'Tanh',
  'Softmax', 'Softplus', 'Dropout', 'AlphaDropout', 'GaussianDropout', 'GaussianNoise', 'BatchNormalization', 'Identity', 'Flatten',
]);

/** One hidden representation: the layer whose output it is and its number of units. */
export interface HiddenLayer {
  readonly name: string;
  readonly kind: string;
  readonly units: number;
}

/**
 * The hidden representations of a dense chain, input side first: for each linear layer after the
 * first, the output of the layer just before it. Refuses black boxes, non-vector inputs or layers,
 * layer kinds that are neither linear nor elementwise, and networks without a hidden layer.
 */
export function denseHiddenLayers(model: Model, fn: string): HiddenLayer[] {
  check(model.differentiable && model.layers.length > 0, 'model', () => `${fn}: decompositional rule extraction reads the hidden layers' activations; '${model.name}' is a black box (use 'pedagogical-rules', which needs only predictions)`);
  check(model.inputShape.length === 1, 'model', () => `${fn}: expected a dense network on feature vectors; the input shape is [${model.inputShape.join(', ')}]`);
  const layers: readonly LayerInfo[] = model.layers;
  for (const l of layers) {
    if (!LINEAR_KINDS.has(l.kind) && !ELEMENTWISE_KINDS.has(l.kind)) {
      throw new LumenError('model', `${fn}: cannot decompose layer '${l.name}' of kind '${l.kind}': only dense chains (${[...LINEAR_KINDS].join(', ')} with elementwise layers between them) decompose; use 'pedagogical-rules' for other models`);
    }
    check(l.outputShape.length === 1 && typeof l.outputShape[0] === 'number' && l.outputShape[0] > 0, 'model', () => `${fn}: expected vector outputs in a dense chain; layer '${l.name}' (${l.kind}) has shape [${l.outputShape.join(', ')}]`);
  }
  const hidden: HiddenLayer[] = [];
  let seenLinear = false;
  layers.forEach((l, i) => {
    if (!LINEAR_KINDS.has(l.kind)) return;
    if (seenLinear) {
      const before = layers[i - 1];
      hidden.push({ name: before.name, kind: before.kind, units: before.outputShape[0] as number });
    }
    seenLinear = true;
  });
  check(hidden.length > 0, 'model', () => `${fn}: '${model.name}' has no hidden layer (one linear layer at most): there is nothing to decompose`);
  return hidden;
}

/** The activations of every hidden layer on `rows` rows of `values` (row-major), `[rows, units]` each, `batchSize` rows per pass. */
export async function hiddenActivations(model: Model, hidden: readonly HiddenLayer[], values: Float32Array, rows: number, columns: number, batchSize: number, signal?: AbortSignal): Promise<Float32Array[]> {
  const out = hidden.map((h) => new Float32Array(rows * h.units));
  const names = hidden.map((h) => h.name);
  for (let start = 0; start < rows; start += batchSize) {
    signal?.throwIfAborted();
    const n = Math.min(batchSize, rows - start);
    const captured = tf.tidy(() => {
      const x = tf.tensor2d(values.subarray(start * columns, (start + n) * columns), [n, columns]);
      const r = model.run(x, { capture: names });
      return names.map((name) => tf.reshape(r.captured[name], [n, -1]));
    });
    try {
      for (let k = 0; k < hidden.length; k++) {
        const v = (await captured[k].data()) as Float32Array;
        check(v.length === n * hidden[k].units, 'model', () => `hiddenActivations: layer '${names[k]}' gave ${v.length / n} values per row; expected ${hidden[k].units}`);
        out[k].set(v, start * hidden[k].units);
      }
    } finally {
      tf.dispose(captured);
    }
  }
  return out;
}
