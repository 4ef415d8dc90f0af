/**
 * What every generation method shares: a causal language model on the Model contract (input ids
 * `[N, T]` as floats, the text from position 0 and PAD after it; output next-token scores
 * `[N, T, V]`, logits or probabilities), a prompt, and the tokens generated after it. The
 * teacher-forced sequence (prompt then generated tokens) is scored by the log-probability of each
 * generated token given everything before it — what Captum's `LLMAttribution` explains.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';

/** The checked prompt and continuation of one generation, and the model's sizes. */
export interface GenerationTask {
  readonly model: Model;
  /** Sequence length T the model reads. */
  readonly length: number;
  /** Vocabulary size V (the last output axis). */
  readonly vocabulary: number;
  readonly prompt: Int32Array;
  readonly generated: Int32Array;
  /** The id that fills positions after the text. */
  readonly padId: number;
}

/** Options every generation method reads. */
export interface GenerationOptions {
  /** The id of PAD, which fills the positions after the text (default 0). */
  readonly padId?: number;
}

function checkIds(ids: ArrayLike<number>, what: string, vocabulary: number, fn: string): Int32Array {
  const out = Int32Array.from(ids as ArrayLike<number>);
  out.forEach((id, i) => check(Number.isInteger(ids[i]) && id >= 0 && id < vocabulary, 'input', () =>
    `${fn}: ${what}[${i}] is ${String(ids[i])}; expected a token id in 0…${vocabulary - 1}`));
  return out;
}

/** The model's sequence length and vocabulary size, checked to be a causal LM's shapes (input [T], output [T, V]). */
export function languageModelShape(model: Model, fn: string): { length: number; vocabulary: number } {
  check(model.inputShape.length === 1, 'shape', () => `${fn}: expected a language model whose input is a sequence of ids [T]; found input shape [${model.inputShape}]`);
  const t = model.inputShape[0]!;
  check(model.outputShape.length === 2 && model.outputShape[0] === t, 'shape', () =>
    `${fn}: expected next-token scores of shape [T, V] = [${t}, V]; found output shape [${model.outputShape}]`);
  return { length: t, vocabulary: model.outputShape[1]! };
}

/** Checks a prompt and its generated tokens against a causal language model; they must fit its length together. */
export function generationTask(model: Model, prompt: ArrayLike<number>, generated: ArrayLike<number>, options: GenerationOptions, fn: string): GenerationTask {
  const { length, vocabulary } = languageModelShape(model, fn);
  check(prompt !== null && typeof prompt === 'object' && prompt.length > 0, 'input', () => `${fn}: the prompt must be a non-empty list of token ids`);
  check(generated !== null && typeof generated === 'object' && generated.length > 0, 'input', () => `${fn}: expected at least one generated token to explain; found none`);
  check(prompt.length + generated.length <= length, 'input', () =>
    `${fn}: the prompt (${prompt.length} tokens) and the generated tokens (${generated.length}) take ${prompt.length + generated.length} positions; the model reads ${length}`);
  const padId = options.padId ?? 0;
  check(Number.isInteger(padId) && padId >= 0 && padId < vocabulary, 'option', () => `${fn}: padId must be a token id in 0…${vocabulary - 1}; found ${String(padId)}`);
  return { model, length, vocabulary, prompt: checkIds(prompt, 'prompt', vocabulary, fn), generated: checkIds(generated, 'generated', vocabulary, fn), padId };
}

/** The teacher-forced sequence: prompt, generated tokens, then PAD up to the model's length. */
export function teacherForced(task: GenerationTask): Float32Array {
  const row = new Float32Array(task.length).fill(task.padId);
  row.set(task.prompt, 0);
  row.set(task.generated, task.prompt.length);
  return row;
}

/** Log-probabilities over the vocabulary from a model's scores (log-softmax of logits, log of probabilities). */
export function logProbabilities(model: Model, scores: tf.Tensor): tf.Tensor {
  return model.outputKind === 'probabilities' ? tf.log(scores.maximum(1e-30)) : tf.logSoftmax(scores);
}

/**
 * log p(generated[k] | sequence before it) for every row of `outputs` [R, T, V] and every k: `[R, K]`
 * (positions P − 1 … P + K − 2 predict the K generated tokens).
 */
export function generatedLogProbs(task: GenerationTask, outputs: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const r = outputs.shape[0];
    const k = task.generated.length;
    const window = outputs.slice([0, task.prompt.length - 1, 0], [r, k, task.vocabulary]);
    const lp = logProbabilities(task.model, window);
    const pick = tf.oneHot(tf.tensor1d(task.generated, 'int32'), task.vocabulary).toFloat();
    return lp.mul(pick).sum(-1) as tf.Tensor2D;
  });
}

/**
 * A Target (src/core/target.ts) for K examples that are the teacher-forced sequence: example k
 * scores log p(generated[k] | prompt, generated[< k]) — one gradient call explains every step.
 */
export function stepTarget(task: GenerationTask): (outputs: tf.Tensor, examples: Int32Array) => tf.Tensor {
  return (outputs, examples) => tf.tidy(() => {
    const r = outputs.shape[0];
    const t = task.length;
    const rows = new Int32Array(r);
    const tokens = new Int32Array(r);
    for (let i = 0; i < r; i++) {
      const k = examples[i]!;
      rows[i] = i * t + task.prompt.length - 1 + k;
      tokens[i] = task.generated[k]!;
    }
    const at = tf.gather(outputs.reshape([r * t, task.vocabulary]), tf.tensor1d(rows, 'int32'));
    const lp = logProbabilities(task.model, at);
    return lp.mul(tf.oneHot(tf.tensor1d(tokens, 'int32'), task.vocabulary).toFloat()).sum(1);
  });
}
