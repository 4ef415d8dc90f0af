import * as tf from '@tensorflow/tfjs';
import { batchSizeOf, forEachBatch } from '../../core/batching.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import { DEFAULT_SEED, Rng } from '../../core/random.js';
import { bySubsets } from '../surrogate/shapley-values.js';
import { generationAttribution, resolveSegments, type GenerationAttribution, type ResolvedSegments } from './generation-attribution.js';
import { generatedLogProbs, generationTask, teacherForced, type GenerationOptions, type GenerationTask } from './generation-task.js';

/** The perturbation methods of `llmAttribution`. */
export type LlmPerturbationMethod = 'feature-ablation' | 'shapley-values' | 'shapley-value-sampling';

/** Options of `llmAttribution`. */
export interface LlmAttributionOptions extends Omit<LocalOptions, 'target'>, GenerationOptions {
  /** Default `'feature-ablation'`. */
  readonly method?: LlmPerturbationMethod;
  /** One integer label per prompt token: tokens with one label are removed together (default: every token alone). */
  readonly segments?: readonly number[];
  /** The id an absent prompt token is replaced by (default `padId`; Captum's TextTokenInput baseline). */
  readonly baselineId?: number;
  /** Permutations of `'shapley-value-sampling'` (default 25, Captum's). */
  readonly samples?: number;
}

/** The most segments exact Shapley values take (2^14 perturbed prompts). */
export const LLM_SHAPLEY_MAX_SEGMENTS = 14;

/**
 * Attribution of a generated continuation to the prompt by perturbation, as Captum's
 * `LLMAttribution` (Miglani et al., "Using Captum to Explain Generative Language Models", 2023):
 * the game of a coalition of prompt segments is the vector of log p(generated[k] | prompt with the
 * absent segments replaced by `baselineId`, generated[< k]) under teacher forcing, and
 * `'feature-ablation'` (leave one segment out), exact `'shapley-values'` (Shapley 1953) or seeded
 * `'shapley-value-sampling'` (Castro et al. 2009) turn it into one value per generated token and
 * segment; the sequence attribution is their sum over tokens (the methods are linear in the game).
 * Every perturbed prompt goes through the model `batchSize` rows per call.
 */
export async function llmAttribution(model: Model, prompt: readonly number[], generated: readonly number[], options: LlmAttributionOptions = {}): Promise<GenerationAttribution> {
  const fn = 'llmAttribution';
  const method = options.method ?? 'feature-ablation';
  check(method === 'feature-ablation' || method === 'shapley-values' || method === 'shapley-value-sampling', 'option', () =>
    `${fn}: method must be 'feature-ablation', 'shapley-values' or 'shapley-value-sampling'; found '${String(method)}'`);
  const task = generationTask(model, prompt, generated, options, fn);
  const seg = resolveSegments(options.segments, task.prompt.length, fn);
  const baselineId = options.baselineId ?? task.padId;
  check(Number.isInteger(baselineId) && baselineId >= 0 && baselineId < task.vocabulary, 'option', () => `${fn}: baselineId must be a token id in 0…${task.vocabulary - 1}; found ${String(baselineId)}`);
  const s = seg.count;
  const k = task.generated.length;
  const batchSize = batchSizeOf(model, options, fn);
  let rows: Uint8Array;
  let meta: Record<string, number> = {};
  if (method === 'feature-ablation') {
    rows = new Uint8Array((s + 1) * s).fill(1);
    for (let j = 0; j < s; j++) rows[(j + 1) * s + j] = 0;
  } else if (method === 'shapley-values') {
    check(s <= LLM_SHAPLEY_MAX_SEGMENTS, 'option', () => `${fn}: exact Shapley values take at most ${LLM_SHAPLEY_MAX_SEGMENTS} segments; found ${s} — group tokens with segments, or use shapley-value-sampling`);
    rows = new Uint8Array(2 ** s * s);
    for (let m = 0; m < 2 ** s; m++) for (let j = 0; j < s; j++) rows[m * s + j] = (m >> j) & 1;
  } else {
    const samples = options.samples ?? 25;
    check(Number.isInteger(samples) && samples >= 1, 'option', () => `${fn}: samples must be a positive integer; found ${String(samples)}`);
    const rng = new Rng(options.seed ?? DEFAULT_SEED);
    // Row 0: no segment; then, per permutation, its prefixes of 1…S segments.
    rows = new Uint8Array((1 + samples * s) * s);
    const orders: Int32Array[] = [];
    for (let p = 0; p < samples; p++) {
      const order = rng.permutation(s);
      orders.push(order);
      for (let i = 0; i < s; i++) {
        const r = 1 + p * s + i;
        for (let q = 0; q <= i; q++) rows[r * s + order[q]!] = 1;
      }
    }
    meta = { samples, seed: options.seed ?? DEFAULT_SEED };
    const { v, calls } = await coalitionLogProbs(task, seg, rows, baselineId, batchSize, options, fn);
    const phi = Array.from({ length: k }, () => new Array<number>(s).fill(0));
    orders.forEach((order, p) => {
      for (let i = 0; i < s; i++) {
        const cur = 1 + p * s + i;
        const prev = i === 0 ? 0 : cur - 1;
        for (let t = 0; t < k; t++) phi[t]![order[i]!]! += (v[cur * k + t]! - v[prev * k + t]!) / samples;
      }
    });
    const full = Array.from({ length: k }, (_, t) => v[s * k + t]!); // the first permutation's full prefix
    return generationAttribution(method, task, seg, phi, full, { ...meta, modelCalls: calls, baselineId, baseLogProb: sum(v, 0, k) });
  }
  const { v, calls } = await coalitionLogProbs(task, seg, rows, baselineId, batchSize, options, fn);
  let phi: number[][];
  let full: number[];
  if (method === 'feature-ablation') {
    full = Array.from({ length: k }, (_, t) => v[t]!);
    phi = Array.from({ length: k }, (_, t) => Array.from({ length: s }, (_, j) => v[t]! - v[(j + 1) * k + t]!));
  } else {
    const m = 2 ** s;
    full = Array.from({ length: k }, (_, t) => v[(m - 1) * k + t]!);
    phi = Array.from({ length: k }, (_, t) => Array.from(bySubsets(Float64Array.from({ length: m }, (_, c) => v[c * k + t]!), s)));
    meta = { baseLogProb: sum(v, 0, k) };
  }
  return generationAttribution(method, task, seg, phi, full, { ...meta, modelCalls: calls, baselineId });
}

function sum(v: Float64Array, row: number, k: number): number {
  let total = 0;
  for (let t = 0; t < k; t++) total += v[row * k + t]!;
  return total;
}

/**
 * The game of every coalition row (1 = segment present): log p of each generated token with the
 * absent segments' prompt tokens replaced by `baselineId`, as a flat [rows, K] array.
 */
async function coalitionLogProbs(task: GenerationTask, seg: ResolvedSegments, rows: Uint8Array, baselineId: number, batchSize: number,
  options: Pick<LocalOptions, 'signal' | 'onProgress'>, fn: string): Promise<{ v: Float64Array; calls: number }> {
  const s = seg.count;
  const total = rows.length / s;
  const k = task.generated.length;
  const t = task.length;
  const base = teacherForced(task);
  const v = new Float64Array(total * k);
  const calls = await forEachBatch(total, batchSize, options, fn, async (start, end) => {
    const ids = new Float32Array((end - start) * t);
    for (let r = start; r < end; r++) {
      const row = ids.subarray((r - start) * t, (r - start + 1) * t);
      row.set(base);
      for (let j = 0; j < s; j++) if (!rows[r * s + j]) for (const i of seg.members[j]!) row[i] = baselineId;
    }
    const x = tf.tensor2d(ids, [end - start, t]);
    const out = await task.model.predict(x);
    const lp = generatedLogProbs(task, out);
    v.set(await lp.data(), start * k);
    tf.dispose([x, out, lp]);
  });
  return { v, calls };
}
