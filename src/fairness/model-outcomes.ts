/**
 * A classifier's binary decisions on a Dataset, for the fairness metrics: the probability of the
 * positive (favourable) class per row, the decision (argmax is that class, or score ≥ threshold),
 * the true outcome (label = positive class) when the dataset has labels, and the rows themselves
 * when the dataset is tabular. One model call per batch of `batchSize` rows, forward only.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { check, LumenError } from '../core/errors.js';
import { outputKindOf, type Model } from '../core/model.js';

/** Which outcome is favourable and how a score becomes a decision. */
export interface OutcomeOptions {
  /** The favourable class (index or class name); default 1 for a two-class model, required for more classes. */
  readonly positiveClass?: number | string;
  /** Decide positive when P(positive) ≥ threshold (default: the argmax for 2+ outputs, 0.5 for one). */
  readonly threshold?: number;
  /** Rows per model call (default 1,024). */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/** What fairness is measured on. */
export interface ModelOutcomes {
  readonly scores: Float64Array;
  readonly predicted: Uint8Array;
  readonly labels?: Uint8Array;
  /** The tabular rows, row-major (absent for non-tabular data). */
  readonly table?: { readonly values: Float32Array; readonly columns: number; readonly featureNames?: readonly string[] };
  readonly positiveClass: number;
  readonly calls: number;
}

function positiveIndex(option: number | string | undefined, k: number, classNames: readonly string[] | undefined, fn: string): number {
  const classes = Math.max(k, 2);
  if (option === undefined) {
    check(classes === 2, 'option', () => `${fn}: the model has ${classes} classes: give positiveClass (the favourable class${classNames ? `: one of ${classNames.join(', ')}` : ''})`);
    return 1;
  }
  const i = typeof option === 'number' ? option : (classNames ?? []).indexOf(option);
  check(Number.isInteger(i) && i >= 0 && i < classes, 'option', () => `${fn}: positiveClass must be a class index in [0, ${classes - 1}]${classNames ? ` or one of ${classNames.join(', ')}` : ''}; found ${JSON.stringify(option)}`);
  return i;
}

/** Runs the model over `data` in batches and returns scores, decisions, labels and rows. */
export async function modelOutcomes(model: Model, data: Dataset, options: OutcomeOptions, fn: string): Promise<ModelOutcomes> {
  const { batchSize = 1024, threshold } = options;
  check(threshold === undefined || (threshold >= 0 && threshold <= 1), 'option', () => `${fn}: threshold must be a probability in [0, 1]; found ${threshold}`);
  check(data.size >= 1, 'input', () => `${fn}: expected a dataset with at least one row; found ${data.size}`);
  const tabular = data.inputShape.length === 1;
  const columns = tabular ? data.inputShape[0] : 0;
  const values = tabular ? new Float32Array(data.size * columns) : undefined;
  const scores = new Float64Array(data.size);
  const predicted = new Uint8Array(data.size);
  let labels: Uint8Array | undefined;
  let positive = -1;
  let filled = 0;
  let calls = 0;
  for await (const batch of data.batches(batchSize)) {
    try {
      if (options.signal?.aborted) throw new LumenError('aborted', `${fn}: aborted`);
      const n = batch.x.shape[0];
      check(filled + n <= data.size, 'input', () => `${fn}: the dataset yielded more than its ${data.size} rows`);
      if (values) values.set(await batch.x.data(), filled * columns);
      const out = await model.predict(batch.x);
      calls++;
      const probs = tf.tidy(() => {
        const o = out.reshape([n, -1]);
        const k = o.shape[1] as number;
        if (k === 1) {
          const p = outputKindOf(model) === 'logits' ? tf.sigmoid(o) : o;
          return tf.concat([tf.sub(1, p), p], 1);
        }
        return outputKindOf(model) === 'logits' ? tf.softmax(o) : o;
      });
      out.dispose();
      const k = probs.shape[1] as number;
      const p = await probs.data();
      probs.dispose();
      if (positive < 0) positive = positiveIndex(options.positiveClass, k, data.classNames, fn);
      for (let i = 0; i < n; i++) {
        const row = p.subarray(i * k, (i + 1) * k);
        const s = Math.min(1, Math.max(0, row[positive]));
        scores[filled + i] = s;
        let best = 0;
        for (let c = 1; c < k; c++) if (row[c] > row[best]) best = c;
        predicted[filled + i] = threshold !== undefined ? Number(s >= threshold) : Number(best === positive);
      }
      if (batch.y) {
        labels ??= new Uint8Array(data.size);
        const y = await batch.y.data();
        for (let i = 0; i < n; i++) labels[filled + i] = Number(y[i] === positive);
      }
      filled += n;
    } finally {
      batch.x.dispose();
      batch.y?.dispose();
    }
  }
  check(filled === data.size, 'input', () => `${fn}: the dataset promised ${data.size} rows; its batches held ${filled}`);
  return {
    scores,
    predicted,
    ...(labels ? { labels } : {}),
    ...(values ? { table: { values, columns, ...(data.featureNames ? { featureNames: data.featureNames } : {}) } } : {}),
    positiveClass: positive,
    calls,
  };
}
