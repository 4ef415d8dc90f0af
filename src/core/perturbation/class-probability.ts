import * as tf from '@tensorflow/tfjs';
import { renamedOption, renamedValue } from '../deprecated-option.js';
import { check } from '../errors.js';
import { outputKindOf, type Model, type OutputKind } from '../model.js';
import type { ResolvedTarget } from '../target.js';
import type { RowScore } from './perturbation-batcher.js';

/**
 * What a model returns, as a method option (`outputKind`, the adapters' and `--output-kind`'s name):
 * an `OutputKind`, or `'auto'`: probabilities when every output row of the model on the input is
 * non-negative and sums to 1 (± 1e-3), else logits. Default: the model's own `outputKind` when its
 * adapter set one, else `'auto'`.
 */
export type OutputKindOption = 'auto' | OutputKind;

/** @deprecated The old name of OutputKindOption (the `outputs` option); removed in the next release. */
export type OutputsOption = OutputKindOption;

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
 * The target's score of each row on the scale `watch`: `'probabilities'` gives p(c | row) — the
 * outputs themselves when the model returns probabilities (`kind`), their softmax when it returns
 * logits, never a softmax of probabilities —; `'logits'` gives the outputs as they are.
 */
export function outputScore(target: ResolvedTarget, kind: OutputKind, watch: OutputKind): RowScore {
  const softmax = watch === 'probabilities' && kind === 'logits';
  return (out, examples) => {
    const flat = out.reshape([out.shape[0], -1]);
    return target.select(softmax ? tf.softmax(flat) : flat, examples);
  };
}

/** The value of the metrics' `output` option, old spellings (`'probability'`, `'logit'`) accepted with a warning. */
export function watchedOutput(value: string | undefined, fallback: OutputKind, fn: string): OutputKind {
  const v = renamedValue(value, { probability: 'probabilities', logit: 'logits' }, 'output', fn) ?? fallback;
  check(v === 'probabilities' || v === 'logits', 'option', () => `${fn}: output must be 'probabilities' or 'logits'; found '${String(v)}'`);
  return v as OutputKind;
}

/**
 * What `model` returns on `x`: the `outputKind` option (old name `outputs`, deprecated), else the
 * model's own kind when set, else detected (`'auto'`, one model call).
 */
export async function resolveOutputKind(model: Model, x: tf.Tensor, options: { readonly outputKind?: OutputKindOption }, fn: string): Promise<OutputKind> {
  const k = renamedOption<OutputKindOption>(options, 'outputKind', 'outputs', fn) ?? (model.outputKind ? outputKindOf(model) : 'auto');
  check(k === 'auto' || k === 'probabilities' || k === 'logits', 'option', () => `${fn}: outputKind must be 'auto', 'probabilities' or 'logits'; found '${String(k)}'`);
  if (k !== 'auto') return k;
  const out = await model.predict(x);
  const probabilities = await looksLikeProbabilities(out);
  out.dispose();
  return probabilities ? 'probabilities' : 'logits';
}

/**
 * The target's class probability as a row score, p(c | row), for the methods defined on
 * probabilities (prediction difference analysis, meaningful perturbation): the outputs, after a
 * softmax only when the model returns logits (see resolveOutputKind).
 */
export async function classProbability(
  model: Model,
  x: tf.Tensor,
  target: ResolvedTarget,
  options: { readonly outputKind?: OutputKindOption },
  fn: string,
): Promise<{ score: RowScore; logits: boolean }> {
  const kind = await resolveOutputKind(model, x, options, fn);
  return { score: outputScore(target, kind, 'probabilities'), logits: kind === 'logits' };
}
