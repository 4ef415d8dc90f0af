/**
 * Dataset rows as images: the rows an `'examples'` explanation names (top-activating examples),
 * read back from a streamed Dataset in one pass and clipped to [0, 1], so they show as an
 * `'images'` explanation in a grid.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { ImageRecord } from '../core/explanation.js';

/** The rows `indices` of `data` (image rows `[H, W, C]`) as image records labelled by `labels[i]`, in the given order; one streamed pass. */
export async function datasetImages(data: Dataset, indices: readonly number[], labels: readonly string[], batchSize = 64): Promise<ImageRecord[]> {
  check(data.inputShape.length === 3, 'shape', () => `datasetImages: needs image rows [H, W, C]; found [${data.inputShape}]`);
  const [h, w, c] = data.inputShape as [number, number, number];
  const wanted = new Set(indices);
  const rows = new Map<number, number[]>();
  for await (const { x, y, index } of data.batches(batchSize)) {
    const keep = index.map((r, i) => [r, i] as const).filter(([r]) => wanted.has(r));
    if (keep.length) {
      const picked = tf.tidy(() => tf.clipByValue(tf.gather(x, tf.tensor1d(Int32Array.from(keep.map(([, i]) => i)), 'int32')), 0, 1));
      const v = await picked.data();
      picked.dispose();
      const per = h * w * c;
      keep.forEach(([r], j) => rows.set(r, Array.from(v.subarray(j * per, (j + 1) * per))));
    }
    tf.dispose([x, y]);
    if (rows.size === wanted.size) break;
  }
  return indices.map((r, i) => {
    const d = rows.get(r);
    check(d !== undefined, 'input', () => `datasetImages: row ${r} is not in the dataset of ${data.size} rows`);
    return { label: labels[i], shape: [h, w, c], data: d };
  });
}
