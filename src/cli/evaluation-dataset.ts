import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';

/** A dataset read whole for `lumen evaluate` (its EvaluationData without masks or a training set). */
export interface DatasetInputs {
  readonly x: tf.Tensor;
  readonly labels?: Int32Array;
  dispose(): void;
}

/** The most rows `lumen evaluate` reads from a `--data` dataset (metrics hold every row at once). */
export const MAX_EVALUATION_ROWS = 2000;

/**
 * A `--data` dataset (the specs `lumen explain --data` takes: a folder of images, a table, a
 * tensor file, a bundled set) as `lumen evaluate`'s inputs: its rows read batch by batch into one
 * tensor, and its labels when it has them. More than MAX_EVALUATION_ROWS rows is a LumenError.
 */
export async function evaluationDataFromDataset(dataset: Dataset, spec: string, batchSize = 256): Promise<DatasetInputs> {
  check(dataset.size <= MAX_EVALUATION_ROWS, 'option', () => `--data ${spec}: lumen evaluate scores at most ${MAX_EVALUATION_ROWS} rows at once; the dataset has ${dataset.size} (evaluate it as a job: add --shard-size N --out <folder>)`);
  const xs: tf.Tensor[] = [];
  const labels: number[] = [];
  let labelled = true;
  for await (const batch of dataset.batches(batchSize)) {
    xs.push(batch.x);
    if (batch.y) labels.push(...(await batch.y.data()));
    else labelled = false;
    batch.y?.dispose();
  }
  const x = xs.length === 1 ? xs[0] : tf.concat(xs);
  if (xs.length > 1) tf.dispose(xs);
  return { x, ...(labelled ? { labels: Int32Array.from(labels) } : {}), dispose: () => x.dispose() };
}
