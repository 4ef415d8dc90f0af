/**
 * The model's class probabilities on a table of rows, `batchSize` rows per model call (forward
 * passes only, so black boxes work): softmax of logits, never of probabilities. What the rule
 * methods fit their students to: the predicted class (argmax) or the soft targets.
 */
import type { Model } from '../core/model.js';
import { modelResponses } from '../global/model-responses.js';

/** Probabilities `[rows, classes]` (float64) and the predicted class of each row. */
export interface ModelOutputs {
  readonly probabilities: Float64Array;
  readonly classes: number;
  readonly predicted: Int32Array;
  readonly calls: number;
}

/** Default rows per model call of the rule methods (tabular forward passes are small). */
export const RULES_BATCH = 4096;

/** The model's probabilities and predicted classes on `rows` rows of `values` (row-major, `columns` each). */
export async function modelOutputs(model: Model, values: Float32Array, rows: number, columns: number, options: { readonly batchSize?: number; readonly signal?: AbortSignal; readonly fn: string }): Promise<ModelOutputs> {
  const r = await modelResponses(model, rows, columns, (start, n, out) => out.set(values.subarray(start * columns, (start + n) * columns)), {
    batchSize: options.batchSize ?? RULES_BATCH,
    response: 'probabilities',
    signal: options.signal,
    fn: options.fn,
  });
  const k = r.outputs.length;
  const predicted = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (r.values[i * k + c] > r.values[i * k + best]) best = c;
    predicted[i] = best;
  }
  return { probabilities: r.values, classes: k, predicted, calls: r.calls };
}

/** Share of rows where two labelings agree. */
export function agreement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return a.length ? same / a.length : 0;
}
