import * as tf from '@tensorflow/tfjs';
import { check } from '../errors.js';
import type { Model, OutputKind } from '../model.js';
import type { ResolvedTarget } from '../target.js';
import type { RowScore } from './perturbation-batcher.js';

/**
 * What a model's outputs are: `'probabilities'` (rows on the simplex), `'logits'` (a softmax
 * makes them probabilities), or `'auto'`: probabilities when every output row of the model on the
 * input is non-negative and sums to 1 (± 1e-3), else logits.
 */
export type OutputsOption = 'auto' | OutputKind;

/** Whether each row of `[N, ...]` outputs lies on the probability simplex (± 1e-3). */
export async function looksLikeProbabilities(outputs: tf.Tensor): Promise<boolean> {
  const n = outputs.shape[0];
  const flat = tf.tidy(() => outputs.reshape([n, -1]));
  const data = await flat.data();
  const k = flat.shape[1] as number;
  flat.dispose();
  if (k < 2) return false;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) {
      const v = data[i * k + j];
      if (v < -1e-6) return false;
      s += v;
    }
    if (Math.abs(s - 1) > 1e-3) return false;
  }
  return true;
}

/**
 * The target's class probability as a row score, p(c | row): the target applied to the model's
 * outputs, after a softmax when they are logits (`kind`, resolved on `x` for `'auto'` with one
 * model call). Used by the methods defined on probabilities (prediction difference analysis,
 * meaningful perturbation).
 */
export async function classProbability(model: Model, x: tf.Tensor, target: ResolvedTarget, kind: OutputsOption | undefined, fn: string): Promise<{ score: RowScore; logits: boolean }> {
  const k = kind ?? 'auto';
  check(k === 'auto' || k === 'probabilities' || k === 'logits', 'option', () => `${fn}: outputs must be 'auto', 'probabilities' or 'logits'; found '${String(k)}'`);
  let logits = k === 'logits';
  if (k === 'auto') {
    const out = await model.predict(x);
    logits = !(await looksLikeProbabilities(out));
    out.dispose();
  }
  const score: RowScore = (out, examples) => target.select(logits ? tf.softmax(out.reshape([out.shape[0], -1])) : out, examples);
  return { score, logits };
}
