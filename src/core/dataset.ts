import * as tf from '@tensorflow/tfjs';
import { check } from './errors.js';

/** How a tabular column is read: a number on a scale, or a category id. */
export type ColumnKind = 'numeric' | 'categorical';

/**
 * One batch of a Dataset: rows `x` `[n, ...inputShape]`, their labels `y` `[n]` when the dataset
 * has labels, and each row's index in the dataset. The consumer disposes `x` and `y`.
 */
export interface DatasetBatch {
  readonly x: tf.Tensor;
  readonly y?: tf.Tensor;
  readonly index: readonly number[];
}

/**
 * What every global method takes (DESIGN.md, "Contracts for the global families"): `size` rows of
 * `inputShape`, read `batches(n)` at a time, so a method written on it never holds more than one
 * batch and also runs on a dataset that does not fit in memory.
 */
export interface Dataset {
  readonly size: number;
  /** One row's shape, without the batch axis. */
  readonly inputShape: readonly number[];
  /** The rows in order, `batchSize` at a time (the last batch may be shorter). */
  batches(batchSize: number): AsyncIterable<DatasetBatch>;
  /** Rows `[start, end)` as a Dataset whose batches keep the rows' indices in this one (read without the rows before). */
  slice?(start: number, end: number): Dataset;
  /** Names of a tabular row's columns. */
  readonly featureNames?: readonly string[];
  /** Names of the label classes, by class index. */
  readonly classNames?: readonly string[];
  /** Per tabular column, numeric or categorical. */
  readonly kinds?: readonly ColumnKind[];
}

/** Names a Dataset may carry beside its rows. */
export interface DatasetInfo {
  readonly featureNames?: readonly string[];
  readonly classNames?: readonly string[];
  readonly kinds?: readonly ColumnKind[];
}

function checkInfo(info: DatasetInfo, inputShape: readonly number[], fn: string): void {
  const columns = inputShape.length === 1 ? inputShape[0] : undefined;
  for (const key of ['featureNames', 'kinds'] as const) {
    const given = info[key];
    if (given === undefined) continue;
    check(columns !== undefined, 'input', () => `${fn}: ${key} describe tabular rows [columns]; the rows have shape [${inputShape}]`);
    check(given.length === columns, 'input', () => `${fn}: ${key} must name each of the ${columns} columns; found ${given.length}`);
  }
}

/** The check every `Dataset.batches(n)` makes first: `n` is a positive integer. */
export function checkDatasetBatchSize(batchSize: number): void {
  check(Number.isInteger(batchSize) && batchSize >= 1, 'option', () => `Dataset.batches: batchSize must be a positive integer; found ${batchSize}`);
}

/**
 * A Dataset over rows already in memory: `x` `[N, ...]` and optional labels `y` `[N]`. Each batch is
 * a new slice the consumer disposes; the caller keeps owning `x` and `y`.
 */
export function datasetFromTensors(x: tf.Tensor, y?: tf.Tensor, info: DatasetInfo = {}): Dataset {
  const fn = 'datasetFromTensors';
  check(x.rank >= 2, 'input', () => `${fn}: x must be a batch [N, ...]; found shape [${x.shape}]`);
  const size = x.shape[0];
  check(y === undefined || (y.rank === 1 && y.shape[0] === size), 'input', () => `${fn}: y must be labels [${size}]; found shape [${y?.shape}]`);
  const inputShape = x.shape.slice(1);
  checkInfo(info, inputShape, fn);
  return {
    size,
    inputShape,
    ...info,
    async *batches(batchSize: number) {
      checkDatasetBatchSize(batchSize);
      for (let start = 0; start < size; start += batchSize) {
        const n = Math.min(batchSize, size - start);
        const index = Array.from({ length: n }, (_, i) => start + i);
        yield { x: x.slice(start, n), ...(y ? { y: y.slice(start, n) } : {}), index };
      }
    },
  };
}

/**
 * A Dataset over plain rows: `rows[i]` is one example's values, flattened in row-major order of
 * `inputShape` (default `[rows[0].length]`, a table); `labels[i]` its class. Tensors are made one
 * batch at a time.
 */
export function datasetFromArrays(rows: readonly (ArrayLike<number>)[], options: DatasetInfo & { readonly inputShape?: readonly number[]; readonly labels?: readonly number[] } = {}): Dataset {
  const fn = 'datasetFromArrays';
  check(rows.length > 0, 'input', () => `${fn}: expected at least one row; found none`);
  const inputShape = options.inputShape ?? [rows[0].length];
  const per = inputShape.reduce((a, b) => a * b, 1);
  rows.forEach((r, i) => check(r.length === per, 'input', () => `${fn}: row ${i} must have ${per} values (shape [${inputShape}]); found ${r.length}`));
  const labels = options.labels;
  check(labels === undefined || labels.length === rows.length, 'input', () => `${fn}: expected a label per row (${rows.length}); found ${labels?.length}`);
  checkInfo(options, inputShape, fn);
  const { featureNames, classNames, kinds } = options;
  const range = (from: number, to: number): Dataset => ({
    size: to - from,
    inputShape,
    ...(featureNames ? { featureNames } : {}),
    ...(classNames ? { classNames } : {}),
    ...(kinds ? { kinds } : {}),
    async *batches(batchSize: number) {
      checkDatasetBatchSize(batchSize);
      for (let start = from; start < to; start += batchSize) {
        const n = Math.min(batchSize, to - start);
        const data = new Float32Array(n * per);
        for (let i = 0; i < n; i++) data.set(Array.from(rows[start + i]), i * per);
        const index = Array.from({ length: n }, (_, i) => start + i);
        const y = labels ? { y: tf.tensor1d(labels.slice(start, start + n), 'int32') } : {};
        yield { x: tf.tensor(data, [n, ...inputShape]), ...y, index };
      }
    },
    slice(start: number, end: number): Dataset {
      check(Number.isInteger(start) && Number.isInteger(end) && from + start >= from && start <= end && from + end <= to, 'option', () => `Dataset.slice: expected 0 ≤ start ≤ end ≤ ${to - from}; found ${start}, ${end}`);
      return range(from + start, from + end);
    },
  });
  return range(0, rows.length);
}
