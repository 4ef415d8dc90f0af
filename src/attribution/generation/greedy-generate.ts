import * as tf from '@tensorflow/tfjs';
import { checkAborted } from '../../core/batching.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import { languageModelShape } from './generation-task.js';

/** Options of `greedyGenerate`. */
export interface GreedyGenerateOptions {
  /** Tokens to add after each prompt (default 8; fewer when the model's length is reached or `stopId` is produced). */
  readonly maxNewTokens?: number;
  /** Ids never chosen (default `[padId]`; the bundled decoder's CLI adds UNK). */
  readonly suppressIds?: readonly number[];
  /** An id that ends a continuation when produced (kept as its last token). */
  readonly stopId?: number;
  /** The id that fills positions after the text (default 0). */
  readonly padId?: number;
  readonly signal?: AbortSignal;
}

/**
 * Greedy decoding (the arg-max next token at every step, as `generate(do_sample=False)` of
 * Hugging Face transformers; Radford et al. 2019 for the causal LM): every prompt grows one token
 * per model call, all prompts in one batch `[N, T]` (text from position 0, PAD after it). Returns
 * the generated ids of each prompt.
 */
export async function greedyGenerate(model: Model, prompts: readonly (readonly number[])[], options: GreedyGenerateOptions = {}): Promise<number[][]> {
  const fn = 'greedyGenerate';
  const { length, vocabulary } = languageModelShape(model, fn);
  check(Array.isArray(prompts) && prompts.length > 0, 'input', () => `${fn}: expected a non-empty list of prompts (lists of token ids)`);
  const steps = options.maxNewTokens ?? 8;
  check(Number.isInteger(steps) && steps >= 1, 'option', () => `${fn}: maxNewTokens must be a positive integer; found ${String(steps)}`);
  const padId = options.padId ?? 0;
  const suppress = options.suppressIds ?? [padId];
  for (const id of [padId, ...suppress, ...(options.stopId === undefined ? [] : [options.stopId])]) {
    check(Number.isInteger(id) && id >= 0 && id < vocabulary, 'option', () => `${fn}: token id ${String(id)} is out of range 0…${vocabulary - 1}`);
  }
  const seqs = prompts.map((p, i) => {
    check(Array.isArray(p) && p.length > 0 && p.length < length, 'input', () => `${fn}: prompt ${i} has ${Array.isArray(p) ? p.length : 'no'} tokens; expected 1…${length - 1} (the model reads ${length})`);
    p.forEach((id, j) => check(Number.isInteger(id) && id >= 0 && id < vocabulary, 'input', () => `${fn}: prompt ${i} token ${j} is ${String(id)}; expected an id in 0…${vocabulary - 1}`));
    return [...p];
  });
  const starts = seqs.map((s) => s.length);
  const done = seqs.map((s) => s.length >= length);
  const penalty = new Float32Array(vocabulary);
  for (const id of suppress) penalty[id] = -Infinity;
  const n = seqs.length;
  for (let step = 0; step < steps && done.some((d) => !d); step++) {
    checkAborted(options, fn, `after ${step} of ${steps} tokens`);
    const ids = new Float32Array(n * length).fill(padId);
    const last = new Int32Array(n);
    seqs.forEach((s, i) => {
      ids.set(s, i * length);
      last[i] = i * length + s.length - 1;
    });
    const x = tf.tensor2d(ids, [n, length]);
    const out = await model.predict(x);
    const best = tf.tidy(() => tf.gather(out.reshape([n * length, vocabulary]), tf.tensor1d(last, 'int32')).add(tf.tensor1d(penalty)).argMax(1));
    const next = await best.data();
    tf.dispose([x, out, best]);
    seqs.forEach((s, i) => {
      if (done[i]) return;
      s.push(next[i]!);
      if (s.length >= length || next[i] === options.stopId) done[i] = true;
    });
  }
  return seqs.map((s, i) => s.slice(starts[i]));
}
