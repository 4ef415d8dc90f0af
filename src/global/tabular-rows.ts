import type { Dataset } from '../core/dataset.js';
import { check, LumenError } from '../core/errors.js';

/** A tabular Dataset's rows read into memory: `values[i * columns + j]` is row i, column j. */
export interface TabularRows {
  readonly values: Float32Array;
  readonly rows: number;
  readonly columns: number;
}

/**
 * Reads a tabular Dataset (rows `[columns]`) batch by batch into one float32 table, disposing each
 * batch; a dataset of another shape is a LumenError naming the method. Curves need every row at
 * each grid point, so the table is what one call of the method keeps.
 */
export async function tabularRows(data: Dataset, fn: string, batchSize: number, signal?: AbortSignal): Promise<TabularRows> {
  check(data.inputShape.length === 1, 'input', () => `${fn}: expected a tabular dataset (rows [columns]); found rows of shape [${data.inputShape}]`);
  check(data.size >= 1, 'input', () => `${fn}: expected a dataset with at least one row; found ${data.size}`);
  const columns = data.inputShape[0];
  const values = new Float32Array(data.size * columns);
  let filled = 0;
  for await (const batch of data.batches(batchSize)) {
    try {
      if (signal?.aborted) throw new LumenError('aborted', `${fn}: aborted`);
      const part = await batch.x.data();
      check(filled + part.length <= values.length, 'input', () => `${fn}: the dataset yielded more than its ${data.size} rows`);
      values.set(part, filled);
      filled += part.length;
    } finally {
      batch.x.dispose();
      batch.y?.dispose();
    }
  }
  check(filled === values.length, 'input', () => `${fn}: the dataset promised ${data.size} rows; its batches held ${filled / columns}`);
  return { values, rows: data.size, columns };
}

/**
 * Feature indices from indices or the dataset's feature names; an unknown name or an index out of
 * range is a LumenError.
 */
export function featureIndices(features: readonly (number | string)[], data: Dataset, fn: string): number[] {
  const columns = data.inputShape[0];
  return features.map((f) => {
    if (typeof f === 'string') {
      const i = data.featureNames?.indexOf(f) ?? -1;
      check(i >= 0, 'option', () => `${fn}: feature '${f}' is not one of the dataset's features (${data.featureNames?.join(', ') ?? 'the dataset has no feature names'})`);
      return i;
    }
    check(Number.isInteger(f) && f >= 0 && f < columns, 'option', () => `${fn}: feature index must be an integer in [0, ${columns - 1}]; found ${f}`);
    return f;
  });
}

/** A column of the table, in float64. */
export function tableColumn(table: TabularRows, feature: number): Float64Array {
  const out = new Float64Array(table.rows);
  for (let i = 0; i < table.rows; i++) out[i] = table.values[i * table.columns + feature];
  return out;
}
