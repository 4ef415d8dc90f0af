import * as tf from '@tensorflow/tfjs';
import { forEachBatch } from '../../core/batching.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import type { ResolvedTarget } from '../../core/target.js';

/**
 * The target score of `examples.length` model inputs, `batchSize` rows per model call: `build(start,
 * end)` returns rows start…end−1 as a batch (disposed here), and row r is scored for example
 * `examples[r]`. Yields between batches (abort, progress). Returns the scores in float64 and the
 * number of model calls made.
 */
export async function scoreRows(
  model: Model,
  target: ResolvedTarget,
  examples: Int32Array,
  build: (start: number, end: number) => tf.Tensor,
  batchSize: number,
  options: Pick<LocalOptions, 'signal' | 'onProgress'>,
  fn: string,
): Promise<{ scores: Float64Array; calls: number }> {
  const scores = new Float64Array(examples.length);
  const calls = await forEachBatch(examples.length, batchSize, options, fn, async (start, end) => {
    const rows = build(start, end);
    let y: tf.Tensor;
    try {
      y = await model.predict(rows);
    } finally {
      rows.dispose();
    }
    const idx = examples.subarray(start, end);
    const score = tf.tidy(() => target.select(y, idx));
    y.dispose();
    const data = await score.data();
    score.dispose();
    for (let r = start; r < end; r++) {
      check(Number.isFinite(data[r - start]), 'numeric', () => `${fn}: the model returned a non-finite score (${data[r - start]}) on a perturbation of example ${examples[r]}`);
      scores[r] = data[r - start];
    }
  });
  return { scores, calls };
}
