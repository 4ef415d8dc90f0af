import type * as tf from '@tensorflow/tfjs';
import type { Progress } from '../core/options.js';
import { check, LumenError } from '../core/errors.js';
import type { Dataset, DatasetBatch } from '../core/dataset.js';

/** Labelled rows to explain (test examples): inputs `[T, ...]` and their labels `[T]` (or the loss's label shape). */
export interface LabelledRows {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
}

/** Common options of the dataset-streaming example methods. */
export interface StreamOptions {
  /** Rows per batch over the dataset (default 64). */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  /** Called after each batch with the rows done of the dataset's size. */
  readonly onProgress?: (progress: Progress) => void;
}

/** The dataset's batches with labels, checking the abort signal and reporting progress; each batch is disposed after `fn`. */
export async function forEachLabelledBatch(data: Dataset, options: StreamOptions, what: string, fn: (batch: DatasetBatch & { readonly y: tf.Tensor }) => void | Promise<void>): Promise<void> {
  let done = 0;
  for await (const batch of data.batches(options.batchSize ?? 64)) {
    try {
      if (options.signal?.aborted) throw new LumenError('aborted', `${what}: aborted after ${done} of ${data.size} rows`);
      const y = batch.y;
      check(y !== undefined, 'input', () => `${what}: the dataset has no labels; example-based influence needs each row's label`);
      await fn({ ...batch, y });
      done += batch.index.length;
      options.onProgress?.({ done, total: data.size });
    } finally {
      batch.x.dispose();
      batch.y?.dispose();
    }
  }
}
