/**
 * The result of explaining a generation: how much each segment of the prompt (a token, a word, a
 * sentence) contributed to each generated token's log-probability and to the whole continuation's
 * — Captum's `LLMAttributionResult` (`token_attr` [K, S], `seq_attr` [S]) as a plain JSON record.
 */
import { check } from '../../core/errors.js';
import type { JsonValue } from '../../core/explanation.js';
import type { GenerationTask } from './generation-task.js';

/** The methods that explain a generation. */
export type GenerationMethod = 'feature-ablation' | 'shapley-values' | 'shapley-value-sampling' | 'layer-integrated-gradients';

/** What `llmAttribution` and `llmGradientAttribution` return (no tensors: nothing to dispose). */
export interface GenerationAttribution {
  readonly method: GenerationMethod;
  /** The prompt's token ids. */
  readonly prompt: readonly number[];
  /** The generated token ids that are explained, in order. */
  readonly generated: readonly number[];
  /** The segment of every prompt token, 0…S−1 (segments in the order of the labels given). */
  readonly segments: readonly number[];
  /** `tokenAttribution[k][s]`: segment s's share of log p(generated[k] | prompt, generated[< k]). */
  readonly tokenAttribution: readonly (readonly number[])[];
  /** Segment s's share of the continuation's log-probability Σ_k log p(generated[k] | …): the column sums of tokenAttribution. */
  readonly sequenceAttribution: readonly number[];
  /** log p(generated[k] | prompt, generated[< k]) of the unperturbed prompt. */
  readonly logProbs: readonly number[];
  readonly meta: { readonly [key: string]: JsonValue };
}

/** Prompt segments checked and relabelled 0…S−1 in the order of their label values. */
export interface ResolvedSegments {
  readonly labels: Int32Array;
  readonly count: number;
  /** Prompt positions of every segment. */
  readonly members: readonly Int32Array[];
}

/** Checks `segments` (one integer label per prompt token; default every token its own segment). */
export function resolveSegments(segments: readonly number[] | undefined, promptLength: number, fn: string): ResolvedSegments {
  const given = segments ?? Array.from({ length: promptLength }, (_, i) => i);
  check(Array.isArray(given) && given.length === promptLength, 'option', () =>
    `${fn}: segments must give one label per prompt token (${promptLength}); found ${Array.isArray(given) ? given.length : typeof given}`);
  given.forEach((v, i) => check(Number.isInteger(v), 'option', () => `${fn}: segments[${i}] is ${String(v)}; expected an integer label`));
  const distinct = [...new Set(given)].sort((a, b) => a - b);
  const index = new Map(distinct.map((v, i) => [v, i]));
  const labels = Int32Array.from(given, (v) => index.get(v)!);
  const members = distinct.map((_, s) => Int32Array.from(Array.from(labels.keys()).filter((i) => labels[i] === s)));
  return { labels, count: distinct.length, members };
}

/**
 * The GenerationAttribution record of one method's segment scores `phi` [K][S]: the prompt,
 * continuation and segments of the task, the sequence attribution as the column sums of `phi`,
 * and `meta` with the segment count added.
 */
export function generationAttribution(method: GenerationMethod, task: GenerationTask, seg: ResolvedSegments, phi: number[][], logProbs: readonly number[], meta: { readonly [key: string]: JsonValue }): GenerationAttribution {
  const sequenceAttribution = new Array<number>(seg.count).fill(0);
  for (const row of phi) row.forEach((v, j) => { sequenceAttribution[j] += v; });
  return {
    method,
    prompt: Array.from(task.prompt),
    generated: Array.from(task.generated),
    segments: Array.from(seg.labels),
    tokenAttribution: phi,
    sequenceAttribution,
    logProbs,
    meta: { ...meta, segmentCount: seg.count },
  };
}
