import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import { outputKindOf, type Model } from '../core/model.js';

/**
 * What a curve plots of the model's output: `'probabilities'` (the outputs when the model returns
 * probabilities, their softmax when it returns logits; scikit-learn's `predict_proba`), or `'raw'`
 * (the outputs as they are; a regressor's prediction). Default `'auto'`: probabilities for two or
 * more output columns, raw for one.
 */
export type CurveResponse = 'auto' | 'probabilities' | 'raw';

/** Options every curve method shares (global methods take a Dataset; there is no per-example target). */
export interface CurveOptions {
  /** The output columns to plot: one, several, or (default) all. */
  readonly target?: number | readonly number[];
  readonly response?: CurveResponse;
  /** Rows per model call (default 4,096: forward passes only). */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { readonly done: number; readonly total: number }) => void;
}

/** Default rows per model call of the curve methods: forward passes of tabular rows are small. */
export const CURVE_BATCH = 4096;

/**
 * Evaluates the model on `count` rows made by `fill(start, n, out)` (row-major, `columns` each),
 * `batchSize` rows per model call, and returns the chosen output columns of every row in float64
 * (`[count, outputs.length]`), with the number of model calls. Outputs are checked to be `[n, k]`.
 */
export async function modelResponses(
  model: Model,
  count: number,
  columns: number,
  fill: (start: number, n: number, out: Float32Array) => void,
  options: { readonly batchSize: number; readonly response: CurveResponse; readonly target?: number | readonly number[]; readonly signal?: AbortSignal; readonly fn: string; readonly onBatch?: (rows: number) => void },
): Promise<{ values: Float64Array; outputs: number[]; calls: number }> {
  const { fn, batchSize } = options;
  let outputs: number[] | null = null;
  let softmax = false;
  let values = new Float64Array(0);
  let calls = 0;
  const buffer = new Float32Array(Math.min(batchSize, count) * columns);
  for (let start = 0; start < count; start += batchSize) {
    if (options.signal?.aborted) throw new LumenError('aborted', `${fn}: aborted`);
    const n = Math.min(batchSize, count - start);
    const rows = buffer.subarray(0, n * columns);
    fill(start, n, rows);
    const x = tf.tensor2d(rows, [n, columns]);
    const out = await model.predict(x).finally(() => x.dispose());
    calls++;
    const flat = tf.tidy(() => {
      const o = out.reshape([n, -1]);
      if (outputs === null) {
        const k = o.shape[1] as number;
        const response = options.response === 'auto' ? (k >= 2 ? 'probabilities' : 'raw') : options.response;
        softmax = response === 'probabilities' && outputKindOf(model) === 'logits';
        check(response === 'raw' || k >= 2 || outputKindOf(model) === 'probabilities', 'option', () => `${fn}: response 'probabilities' needs two or more outputs (or a model that returns probabilities); this model returns one logit`);
        outputs = chosenOutputs(options.target, k, fn);
        values = new Float64Array(count * outputs.length);
      }
      return softmax ? tf.softmax(o) : o;
    });
    out.dispose();
    const data = await flat.data();
    const k = flat.shape[1] as number;
    flat.dispose();
    const chosen = outputs as unknown as number[];
    for (let i = 0; i < n; i++) for (let j = 0; j < chosen.length; j++) values[(start + i) * chosen.length + j] = data[i * k + chosen[j]];
    options.onBatch?.(n);
  }
  return { values, outputs: outputs ?? [], calls };
}

function chosenOutputs(target: number | readonly number[] | undefined, k: number, fn: string): number[] {
  const list = target === undefined ? Array.from({ length: k }, (_, i) => i) : typeof target === 'number' ? [target] : [...target];
  check(list.length > 0, 'target', () => `${fn}: target must name at least one output column; found []`);
  for (const t of list) check(Number.isInteger(t) && t >= 0 && t < k, 'target', () => `${fn}: target must be an output column in [0, ${k - 1}]; found ${t}`);
  return list;
}
