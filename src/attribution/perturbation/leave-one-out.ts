import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import type { Baseline } from '../../core/baseline.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import { maskedPlan, perturbationBaseline, preparePerturbation, scoreInputs, scorePerturbations, targetScore, type PerturbationPlan } from '../../core/perturbation/perturbation-batcher.js';

/** Options of `leaveOneOut`. */
export interface LeaveOneOutOptions extends LocalOptions {
  /**
   * What is erased: `'token'` (default) each position of `[N, T]` ids or `[N, T, E]` embeddings;
   * `'dimension'` each embedding dimension across all positions (`[N, T, E]` only), as Li et al.
   * erase word-vector dimensions.
   */
  readonly unit?: 'token' | 'dimension';
  /**
   * How: `'replace'` (default) sets the erased values to `baseline` (e.g. an unknown-word id or a
   * zero embedding); `'delete'` removes the token and shifts the rest left, filling the end with
   * `padValue` — the sentence without the word.
   */
  readonly erase?: 'replace' | 'delete';
  /** Replacement of `'replace'` — every Baseline kind (default `'zeros'`). */
  readonly baseline?: Baseline;
  /** The padding id of `[N, T]` sequences: such positions are not erased (attribution 0); `'delete'` pads with it (default 0). */
  readonly padValue?: number;
  /** Li et al.'s relative importance (f(x) − f(x¬i)) / f(x) instead of the plain drop (default false). */
  readonly relative?: boolean;
}

/**
 * Leave-one-out / representation erasure: the importance of a token (or an embedding dimension)
 * is the drop of the target's score when it is erased, f(x)[t] − f(x¬i)[t], optionally relative to
 * f(x)[t] (Li, Monroe & Jurafsky, "Understanding Neural Networks through Representation Erasure",
 * 2016). Inputs are token sequences `[N, T]` (ids, as the model takes them) or embeddings
 * `[N, T, E]`; the values have the input's shape (every dimension of an erased position, or every
 * position of an erased dimension, gets its importance). Forward passes only, batched.
 */
export async function leaveOneOut(model: Model, input: tf.Tensor, options: LeaveOneOutOptions = {}): Promise<Attribution> {
  const fn = 'leaveOneOut';
  const unit = options.unit ?? 'token';
  const erase = options.erase ?? 'replace';
  check(input.rank === 2 || input.rank === 3, 'shape', () => `${fn}: expects token sequences [N, T] or embeddings [N, T, E]; found shape [${input.shape}]`);
  check(unit === 'token' || unit === 'dimension', 'option', () => `${fn}: unit must be 'token' or 'dimension'; found '${String(unit)}'`);
  check(erase === 'replace' || erase === 'delete', 'option', () => `${fn}: erase must be 'replace' or 'delete'; found '${String(erase)}'`);
  check(unit === 'token' || input.rank === 3, 'option', () => `${fn}: unit 'dimension' erases embedding dimensions, so it needs [N, T, E]; found [${input.shape}]`);
  check(unit === 'token' || erase === 'replace', 'option', () => `${fn}: a dimension cannot be deleted, only replaced (erase: 'replace')`);
  const ctx = await preparePerturbation(model, input, options, fn);
  const [n, t] = input.shape;
  const e: number = input.rank === 3 ? (input.shape[2] as number) : 1;
  const units = unit === 'token' ? t : e;
  const xs = await input.data();
  const isPad = (ex: number, i: number): boolean => options.padValue !== undefined && input.rank === 2 && unit === 'token' && xs[ex * t + i] === options.padValue;
  const rowsOf: Array<[number, number]> = [];
  for (let ex = 0; ex < n; ex++) for (let i = 0; i < units; i++) if (!isPad(ex, i)) rowsOf.push([ex, i]);
  const examples = Int32Array.from(rowsOf, ([ex]) => ex);
  const baseline = erase === 'replace' ? perturbationBaseline(options.baseline, input, ctx.seed, fn) : null;
  try {
    const plan: PerturbationPlan = baseline
      ? maskedPlan(input, baseline, examples, input.shape.slice(1), (r, m) => {
          m.fill(1);
          const i = rowsOf[r][1];
          if (unit === 'token') m.fill(0, i * e, (i + 1) * e);
          else for (let p = 0; p < t; p++) m[p * e + i] = 0;
        })
      : { examples, build: (start, end) => deletedRows(xs, rowsOf.slice(start, end), t, e, options.padValue ?? 0, input.shape) };
    const score = targetScore(ctx.target);
    const full = await scoreInputs(model, input, score, ctx.batchSize, fn);
    const { scores, calls } = await scorePerturbations(model, plan, score, ctx.batchSize, options, fn);
    const values = new Float32Array(n * t * e);
    for (let r = 0; r < rowsOf.length; r++) {
      const [ex, i] = rowsOf[r];
      const f = full.scores[ex];
      check(!options.relative || f !== 0, 'numeric', () => `${fn}: relative importance divides by f(x)[t], which is 0 for example ${ex}`);
      const v = (f - scores[r]) / (options.relative ? f : 1);
      if (unit === 'token') values.fill(v, (ex * t + i) * e, (ex * t + i + 1) * e);
      else for (let p = 0; p < t; p++) values[(ex * t + p) * e + i] = v;
    }
    return makeAttribution('leave-one-out', tf.tensor(values, input.shape), ctx.target.classes, { modelCalls: calls + full.calls, unit, erase });
  } finally {
    baseline?.dispose();
  }
}

/** Rows with token i of example ex removed and the rest shifted left, `pad` at the end. */
function deletedRows(xs: ArrayLike<number>, rows: ReadonlyArray<[number, number]>, t: number, e: number, pad: number, shape: readonly number[]): tf.Tensor {
  const out = new Float32Array(rows.length * t * e).fill(pad);
  rows.forEach(([ex, i], r) => {
    let q = 0;
    for (let p = 0; p < t; p++) {
      if (p === i) continue;
      for (let k = 0; k < e; k++) out[(r * t + q) * e + k] = xs[(ex * t + p) * e + k];
      q++;
    }
  });
  return tf.tensor(out, [rows.length, ...shape.slice(1)]);
}
