import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import { csvToMatrix } from '../data/csv.js';
import { readInput } from '../data/io.js';
import { penguinFeaturesFromTable } from '../data/penguins.js';
import type { LoadedModel } from './load-model.js';

/** An input file made ready for a model: the batch, and what the renderers need to show it. */
export interface ModelInput {
  /** `[N, ...model.inputShape]`; the caller disposes it. */
  readonly batch: tf.Tensor;
  /** For image models: each example as an [H, W, C] image in [0, 1] (for overlays). */
  readonly images?: readonly { readonly data: Float32Array; readonly height: number; readonly width: number; readonly channels: number }[];
  /** For tabular models: the name of each feature. */
  readonly featureNames?: readonly string[];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => b[i] === -1 || d === b[i]);
}

/**
 * A channels-first image tensor ([C, H, W] or [N, C, H, W], as PyTorch writes them) in the
 * channels-last layout of `shape` ([H, W, C]); null when `dims` is not such a tensor.
 */
function fromChannelsFirst(data: Float32Array, dims: readonly number[], shape: readonly number[]): { data: Float32Array; shape: number[] } | null {
  const [h, w, c] = shape;
  const one = dims.length === 3;
  const per = one ? dims : dims.slice(1);
  if (c === h || per.length !== 3 || per[0] !== c || per[1] !== h || per[2] !== w) return null;
  const n = one ? 1 : dims[0];
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < c; k++) for (let p = 0; p < h * w; p++) out[b * h * w * c + p * c + k] = data[b * h * w * c + k * h * w + p];
  }
  return { data: out, shape: one ? [h, w, c] : [n, h, w, c] };
}

/**
 * Reads `file` (PNG/JPEG, .npy, .json tensor, .csv table) and shapes it for `loaded`: images are
 * converted to the model's channels and size; tensors may hold one example or a batch (image
 * tensors channels-last or, as PyTorch writes them, channels-first); CSV tables
 * are matched by column name (the bundled penguins model standardises its measurements first).
 */
export function loadModelInput(loaded: LoadedModel, file: string): ModelInput {
  const shape = loaded.model.inputShape;
  const isImage = loaded.kind === 'image';
  const input = readInput(file, isImage ? { grayscale: shape[2] === 1, size: [shape[0], shape[1]] } : {});
  let data: Float32Array;
  let dims: number[];
  let featureNames = loaded.featureNames;
  if (input.kind === 'image') {
    check(isImage, 'input', () => `${file}: an image cannot be the input of ${loaded.spec}, whose examples have shape [${shape}]; give a .npy, .json or .csv file`);
    data = input.data;
    dims = [1, ...input.shape];
  } else if (input.kind === 'table') {
    check(loaded.kind === 'tabular', 'input', () => `${file}: a CSV table cannot be the input of ${loaded.spec}, whose examples have shape [${shape}]`);
    if (loaded.bundled === 'penguins' && loaded.standardization) {
      data = penguinFeaturesFromTable(input, loaded.standardization, file);
      dims = [input.rows.length, shape[0]];
    } else {
      const columns = loaded.featureNames ?? input.names.filter((_, k) => input.rows.every((r) => typeof r[k] === 'number'));
      const m = csvToMatrix(input, columns, file);
      data = m.data;
      dims = m.shape;
      featureNames = columns;
    }
  } else {
    const nchw = isImage ? fromChannelsFirst(input.data, input.shape, shape) : null;
    data = nchw?.data ?? input.data;
    const given = nchw?.shape ?? input.shape;
    dims = sameShape(given, shape) ? [1, ...given] : given;
  }
  check(sameShape(dims.slice(1), shape) && dims.length === shape.length + 1, 'input', () =>
    `${file}: expected one example of shape [${shape}] or a batch [N, ${shape}] for ${loaded.spec}; found shape [${dims}]`);
  check(dims[0] >= 1, 'input', () => `${file}: expected at least one example; found none`);
  const batch = tf.tensor(data, dims);
  const per = data.length / dims[0];
  const images = isImage
    ? Array.from({ length: dims[0] }, (_, i) => ({ data: data.subarray(i * per, (i + 1) * per), height: dims[1], width: dims[2], channels: dims[3] }))
    : undefined;
  const names = loaded.kind === 'tabular' ? (featureNames ?? Array.from({ length: shape[0] }, (_, k) => `x${k}`)) : undefined;
  return { batch, ...(images ? { images } : {}), ...(names ? { featureNames: names } : {}) };
}
