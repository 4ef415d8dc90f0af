import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import { csvToMatrix } from '../data/csv.js';
import { fitImage, type ResizeMode } from '../data/fit-image.js';
import { readInput } from '../data/io.js';
import { penguinFeaturesFromTable } from '../data/penguins.js';
import type { LoadedModel } from './load-model.js';
import { applyPreprocess, type Preprocess } from './preprocess.js';
import { loadTextInput } from './load-text-input.js';

/** How `--preprocess` and `--resize` shape image inputs. */
export interface InputOptions {
  /** Applied to image inputs after reading (values in [0, 1]) and before the model. */
  readonly preprocess?: Preprocess;
  /** How PNG/JPEG inputs are brought to the model's size; default 'stretch'. */
  readonly resize?: ResizeMode;
}

/** An input file made ready for a model: the batch, and what the renderers need to show it. */
export interface ModelInput {
  /** `[N, ...model.inputShape]`; the caller disposes it. */
  readonly batch: tf.Tensor;
  /** For image models: each example as an [H, W, C] image in [0, 1] before preprocessing (for the input panel and overlays). */
  readonly images?: readonly { readonly data: Float32Array; readonly height: number; readonly width: number; readonly channels: number }[];
  /** For tabular models: the name of each feature. */
  readonly featureNames?: readonly string[];
  /** For token models: the word at every position of each example ('' at PAD). */
  readonly tokens?: readonly (readonly string[])[];
  /** What the reader changed and the user should know (integer images scaled to [0, 1]). */
  readonly warnings?: readonly string[];
}

/** Integer `.npy` dtypes (`|u1`, `<i4` …): image tensors of this kind hold 0–255 pixel values. */
function isIntegerDtype(dtype: string | undefined): boolean {
  return dtype !== undefined && /^[<>|=]?[iu]\d+$/.test(dtype);
}

/** The first non-finite value of `data` as a LumenError naming the example and the position, or nothing. */
function checkFinite(data: Float32Array, dims: readonly number[], file: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const per = data.length / dims[0];
      throw new LumenError('numeric', `${file}: expected finite numbers; the input contains ${data[i]} in example ${Math.floor(i / per)} at flat index ${i % per}`);
    }
  }
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
 * converted to the model's channels and brought to its size (`options.resize`); tensors may hold
 * one example or a batch (image tensors channels-last or, as PyTorch writes them,
 * channels-first; integer image tensors hold 0–255 and are scaled to [0, 1], with a warning);
 * `options.preprocess` then maps image values to what the model expects. CSV tables are matched
 * by column name (every column, in order, for a model without feature names; the bundled penguins
 * model standardises its measurements first). A token model (`kind` 'text') reads texts instead
 * (`loadTextInput`: a .txt or .jsonl file, or the text itself). NaN or ±Infinity anywhere is a LumenError('numeric').
 */
export function loadModelInput(loaded: LoadedModel, file: string, options: InputOptions = {}): ModelInput {
  const shape = loaded.model.inputShape;
  if (loaded.kind === 'text' && loaded.vocabulary) return loadTextInput(file, loaded.vocabulary, shape[0]);
  const isImage = loaded.kind === 'image';
  const input = readInput(file, isImage ? { grayscale: shape[2] === 1 } : {});
  const warnings: string[] = [];
  let data: Float32Array;
  let dims: number[];
  let featureNames = loaded.featureNames;
  if (input.kind === 'image') {
    check(isImage, 'input', () => `${file}: an image cannot be the input of ${loaded.spec}, whose examples have shape [${shape}]; give a .npy, .json or .csv file`);
    const fitted = fitImage(input, [shape[0], shape[1]], options.resize);
    data = fitted.data;
    dims = [1, ...fitted.shape];
  } else if (input.kind === 'table') {
    check(loaded.kind === 'tabular', 'input', () => `${file}: a CSV table cannot be the input of ${loaded.spec}, whose examples have shape [${shape}]`);
    if (loaded.bundled === 'penguins' && loaded.standardization) {
      data = penguinFeaturesFromTable(input, loaded.standardization, file);
      dims = [input.rows.length, shape[0]];
    } else {
      // Every column, in file order: a column with an empty or text cell is an error naming the row, never silently dropped.
      const columns = loaded.featureNames ?? input.names;
      check(columns.length === shape[0], 'input', () =>
        `${file}: expected ${shape[0]} columns for ${loaded.spec} (one per input feature); found ${columns.length}: ${columns.join(', ')}`);
      const m = csvToMatrix(input, columns, file);
      data = m.data;
      dims = m.shape;
      featureNames = columns;
    }
  } else {
    const nchw = isImage ? fromChannelsFirst(input.data, input.shape, shape) : null;
    data = nchw?.data ?? input.data;
    if (isImage && isIntegerDtype(input.dtype)) {
      let max = 0;
      for (const v of data) max = Math.max(max, v);
      if (max > 1) {
        check(max <= 255 && data.every((v) => v >= 0), 'input', () => `${file}: expected integer pixel values 0–255 (dtype ${input.dtype}) for an image model; found values up to ${max}`);
        data = data.map((v) => v / 255);
        warnings.push(`${file}: integer pixel values (dtype ${input.dtype}, 0–255) scaled to [0, 1] by 1/255`);
      }
    }
    const given = nchw?.shape ?? input.shape;
    dims = sameShape(given, shape) ? [1, ...given] : given;
  }
  check(sameShape(dims.slice(1), shape) && dims.length === shape.length + 1, 'input', () =>
    `${file}: expected one example of shape [${shape}] or a batch [N, ${shape}] for ${loaded.spec}; found shape [${dims}]`);
  check(dims[0] >= 1, 'input', () => `${file}: expected at least one example; found none`);
  checkFinite(data, dims, file);
  const shown = data;
  const per = data.length / dims[0];
  const images = isImage
    ? Array.from({ length: dims[0] }, (_, i) => ({ data: shown.subarray(i * per, (i + 1) * per), height: dims[1], width: dims[2], channels: dims[3] }))
    : undefined;
  if (isImage && options.preprocess) data = applyPreprocess(data, dims[3], options.preprocess, file);
  const batch = tf.tensor(data, dims);
  const names = loaded.kind === 'tabular' ? (featureNames ?? Array.from({ length: shape[0] }, (_, k) => `x${k}`)) : undefined;
  return { batch, warnings, ...(images ? { images } : {}), ...(names ? { featureNames: names } : {}) };
}
