/** Reading chosen rows of a streamed Dataset: for galleries of examples and per-class subsets. */
import type { Dataset } from '../core/dataset.js';
import { datasetFromArrays } from '../core/dataset.js';

/** A dataset row's values (flattened) and label. */
export interface DatasetRow {
  readonly x: Float32Array;
  readonly y?: number;
}

/** The rows of a dataset with the given indices (one streamed pass, batch by batch): their values and labels. */
export async function datasetRowRecords(data: Dataset, indices: readonly number[], batchSize = 256): Promise<Map<number, DatasetRow>> {
  const want = new Set(indices);
  const out = new Map<number, DatasetRow>();
  for await (const b of data.batches(batchSize)) {
    try {
      if (!b.index.some((i) => want.has(i))) continue;
      const x = await b.x.data();
      const y = b.y ? await b.y.data() : undefined;
      const per = x.length / b.index.length;
      b.index.forEach((row, k) => {
        if (want.has(row)) out.set(row, { x: Float32Array.from(x.subarray(k * per, (k + 1) * per)), ...(y && y.length === b.index.length ? { y: y[k] } : {}) });
      });
    } finally {
      b.x.dispose();
      b.y?.dispose();
    }
  }
  return out;
}

/**
 * The rows of one class (by label) as a dataset of their own, rows renumbered 0… in dataset order;
 * `origin[i]` is row i's index in `data`. Held in memory: meant for small per-class sets.
 */
export async function classRows(data: Dataset, label: number, batchSize = 256): Promise<{ data: Dataset; origin: number[] }> {
  const rows: Float32Array[] = [];
  const origin: number[] = [];
  for await (const b of data.batches(batchSize)) {
    try {
      if (!b.y) continue;
      const x = await b.x.data();
      const y = await b.y.data();
      const per = x.length / b.index.length;
      b.index.forEach((row, k) => {
        if (y[k] === label) {
          rows.push(Float32Array.from(x.subarray(k * per, (k + 1) * per)));
          origin.push(row);
        }
      });
    } finally {
      b.x.dispose();
      b.y?.dispose();
    }
  }
  const labels = rows.map(() => label);
  return { data: datasetFromArrays(rows, { inputShape: data.inputShape, labels, ...(data.classNames ? { classNames: data.classNames } : {}), ...(data.featureNames ? { featureNames: data.featureNames } : {}) }), origin };
}
