import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import { outputKindOf, type Model } from '../core/model.js';
import { withForwardEngine } from '../engine/ort/with-engine.js';

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
  /**
   * Who runs the forward passes: `'auto'` (default) onnxruntime when the model came from an adapter
   * whose graph translates (engine/ort: forward passes only, several times faster than tfjs-wasm on
   * these many small rows), else the model as it is; `'tfjs'`: always the model's own `predict`.
   */
  readonly engine?: 'auto' | 'tfjs';
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
  options: { readonly batchSize: number; readonly response: CurveResponse; readonly target?: number | readonly number[]; readonly engine?: 'auto' | 'tfjs'; readonly signal?: AbortSignal; readonly fn: string; readonly onBatch?: (rows: number) => void },
): Promise<{ values: Float64Array; outputs: number[]; calls: number }> {
  const { fn, batchSize } = options;
  check(options.engine === undefined || options.engine === 'auto' || options.engine === 'tfjs', 'option', () => `${fn}: engine must be 'auto' or 'tfjs'; found '${String(options.engine)}'`);
  const arrays = options.engine === 'tfjs' ? null : withForwardEngine(model).arrays;
  let outputs: number[] | null = null;
  let softmax = false;
  let outputRank = 0;
  let values = new Float64Array(0);
  let calls = 0;
  const buffer = new Float32Array(Math.min(batchSize, count) * columns);
  for (let start = 0; start < count; start += batchSize) {
    if (options.signal?.aborted) throw new LumenError('aborted', `${fn}: aborted`);
    const n = Math.min(batchSize, count - start);
    const rows = buffer.subarray(0, n * columns);
    fill(start, n, rows);
    // After the first batch (which tells the output width), onnxruntime can apply the softmax itself.
    const inGraph: boolean = arrays !== null && softmax && outputRank === 2;
    const result: { readonly data: Float32Array; readonly dims: readonly number[] } = arrays ? await arrays(rows, [n, columns], { softmax: inGraph }) : { data: await tfjsForward(model, rows, n, columns), dims: [] };
    const data = result.data;
    calls++;
    check(data.length % n === 0 && data.length > 0, 'model', () => `${fn}: the model returned ${data.length} values for ${n} rows; expected [${n}, k]`);
    const k = data.length / n;
    if (outputs === null) {
      const response = options.response === 'auto' ? (k >= 2 ? 'probabilities' : 'raw') : options.response;
      softmax = response === 'probabilities' && outputKindOf(model) === 'logits';
      check(response === 'raw' || k >= 2 || outputKindOf(model) === 'probabilities', 'option', () => `${fn}: response 'probabilities' needs two or more outputs (or a model that returns probabilities); this model returns one logit`);
      outputs = chosenOutputs(options.target, k, fn);
      values = new Float64Array(count * outputs.length);
      outputRank = result.dims.length;
    }
    const chosen = outputs;
    const m = chosen.length;
    if (softmax && !inGraph) for (let i = 0; i < n; i++) softmaxInPlace(data, i * k, k);
    if (m === k) values.set(data, start * k);
    else for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) values[(start + i) * m + j] = data[i * k + chosen[j]];
    options.onBatch?.(n);
  }
  return { values, outputs: outputs ?? [], calls };
}

/** One batch through the model's own `predict` (tfjs tensors), its outputs as float32. */
async function tfjsForward(model: Model, rows: Float32Array, n: number, columns: number): Promise<Float32Array> {
  const x = tf.tensor2d(rows, [n, columns]);
  const out = await model.predict(x).finally(() => x.dispose());
  try {
    const data = await out.data();
    return data instanceof Float32Array ? data : Float32Array.from(data);
  } finally {
    out.dispose();
  }
}

/** Softmax of `data[offset .. offset + k)` in place, the maximum subtracted first (as tf.softmax and PyTorch do). */
function softmaxInPlace(data: Float32Array, offset: number, k: number): void {
  let max = -Infinity;
  for (let j = offset; j < offset + k; j++) if (data[j] > max) max = data[j];
  let sum = 0;
  for (let j = offset; j < offset + k; j++) sum += (data[j] = Math.exp(data[j] - max));
  for (let j = offset; j < offset + k; j++) data[j] /= sum;
}

function chosenOutputs(target: number | readonly number[] | undefined, k: number, fn: string): number[] {
  const list = target === undefined ? Array.from({ length: k }, (_, i) => i) : typeof target === 'number' ? [target] : [...target];
  check(list.length > 0, 'target', () => `${fn}: target must name at least one output column; found []`);
  for (const t of list) check(Number.isInteger(t) && t >= 0 && t < k, 'target', () => `${fn}: target must be an output column in [0, ${k - 1}]; found ${t}`);
  return list;
}
