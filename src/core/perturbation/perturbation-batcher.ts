import * as tf from '@tensorflow/tfjs';
import { resolveBaseline, type Baseline } from '../baseline.js';
import { batchSizeOf, forEachBatch } from '../batching.js';
import type { Model } from '../model.js';
import type { LocalOptions } from '../options.js';
import { DEFAULT_SEED } from '../random.js';
import { resolveTarget, type ResolvedTarget } from '../target.js';
import { checkInput } from '../validate.js';

/**
 * The rows a perturbation method sends through a model: `examples[r]` is the example row r
 * perturbs (its target is that example's), and `build(start, end)` makes rows start…end−1 as one
 * tensor `[end − start, ...inputShape]` (called inside `tf.tidy`; only one batch exists at a time,
 * so memory stays bounded whatever the number of rows).
 */
export interface PerturbationPlan {
  readonly examples: Int32Array;
  build(start: number, end: number): tf.Tensor;
}

/** The scalar a perturbation method reads from each row's outputs `[R, ...]`, one per row `[R]`. */
export type RowScore = (outputs: tf.Tensor, examples: Int32Array) => tf.Tensor;

/** What every perturbation method knows once its arguments are checked. */
export interface PerturbationContext {
  readonly n: number;
  readonly target: ResolvedTarget;
  readonly batchSize: number;
  /** The seed of every random draw (the option, else DEFAULT_SEED). */
  readonly seed: number;
}

/**
 * The shared, checked entry of every perturbation method: checks the input (float32 `[N,
 * ...model.inputShape]`, finite), the batch size, and resolves the target — before any tensor
 * work. Forward passes only, so black boxes (`fromFunction`, `fromOnnxRuntime`) work.
 */
export async function preparePerturbation(model: Model, input: tf.Tensor, options: LocalOptions, fn: string): Promise<PerturbationContext> {
  checkInput(model, input, fn);
  const batchSize = batchSizeOf(model, options, fn);
  const target = await resolveTarget(model, input, options.target, fn);
  return { n: input.shape[0], target, batchSize, seed: options.seed ?? DEFAULT_SEED };
}

/** The replacement values of a perturbation — every Baseline kind, as a tensor `[N, ...]` (caller owns). */
export function perturbationBaseline(baseline: Baseline | undefined, x: tf.Tensor, seed: number, fn: string): tf.Tensor {
  return resolveBaseline(baseline, x, fn, { seed });
}

/** Scores and model calls of a run of perturbations. */
export interface PerturbationScores {
  /** The score of every row, in row order. */
  readonly scores: Float32Array;
  /** Each row's arg-max output (its predicted class). */
  readonly predicted: Int32Array;
  /** Model calls made. */
  readonly calls: number;
}


/**
 * The perturbation batcher: sends the plan's rows through `model.predict` in batches of
 * `batchSize` rows (one call per batch, never one per row), reads `score` and the arg-max class of
 * every row back to JS, and disposes every tensor of a batch before the next. Stops between batches when
 * `options.signal` aborts and reports progress in rows. Perturbation methods, surrogates and
 * metrics all evaluate their perturbed rows here.
 */
export async function scorePerturbations(
  model: Model,
  plan: PerturbationPlan,
  score: RowScore,
  batchSize: number,
  options: Pick<LocalOptions, 'signal' | 'onProgress'>,
  fn: string,
): Promise<PerturbationScores> {
  const total = plan.examples.length;
  const scores = new Float32Array(total);
  const predicted = new Int32Array(total);
  const calls = await forEachBatch(total, batchSize, options, fn, async (start, end) => {
    const rows = tf.tidy(() => plan.build(start, end));
    let out: tf.Tensor | undefined;
    try {
      out = await model.predict(rows);
      const examples = plan.examples.subarray(start, end);
      const [s, p] = tf.tidy(() => [score(out as tf.Tensor, examples).reshape([end - start]), (out as tf.Tensor).reshape([end - start, -1]).argMax(1)]);
      scores.set(await s.data(), start);
      predicted.set(await p.data(), start);
      tf.dispose([s, p]);
    } finally {
      tf.dispose([rows, ...(out ? [out] : [])]);
    }
  });
  return { scores, predicted, calls };
}

/** The target's score of each row: the Target's selector (a logit, probability or custom scalar). */
export function targetScore(target: ResolvedTarget): RowScore {
  return (outputs, examples) => target.select(outputs, examples);
}

/** The model's target score at each unperturbed example `[N]` (one batch of N rows per call). */
export async function scoreInputs(model: Model, x: tf.Tensor, score: RowScore, batchSize: number, fn: string): Promise<PerturbationScores> {
  const n = x.shape[0];
  const plan: PerturbationPlan = { examples: Int32Array.from({ length: n }, (_, i) => i), build: (s, e) => x.slice([s], [e - s]) };
  return scorePerturbations(model, plan, score, batchSize, {}, fn);
}

/**
 * A plan whose row r is `replacement[source(r)] + m_r ⊙ (x[e] − replacement[source(r)])`, e =
 * examples[r]: the mask m_r (1 keeps x, 0 takes the replacement, values between blend) is written
 * by `fillMask(r, out)` into a buffer of `maskShape` (one example's shape, or a shape that
 * broadcasts to it such as `[H, W, 1]`). `source` defaults to the row's example (a per-example
 * baseline); feature permutation points it at another example of the batch.
 */
export function maskedPlan(
  x: tf.Tensor,
  replacement: tf.Tensor,
  examples: Int32Array,
  maskShape: readonly number[],
  fillMask: (row: number, out: Float32Array) => void,
  source?: (row: number) => number,
): PerturbationPlan {
  const per = maskShape.reduce((a, b) => a * b, 1);
  const pad = x.rank - 1 - maskShape.length;
  return {
    examples,
    build(start, end) {
      const rows = end - start;
      const buf = new Float32Array(rows * per);
      for (let r = 0; r < rows; r++) fillMask(start + r, buf.subarray(r * per, (r + 1) * per));
      const m = tf.tensor(buf, [rows, ...new Array<number>(Math.max(0, pad)).fill(1), ...maskShape]);
      const e = tf.tensor1d(examples.subarray(start, end), 'int32');
      const src = source ? tf.tensor1d(Int32Array.from({ length: rows }, (_, r) => source(start + r)), 'int32') : e;
      const b = tf.gather(replacement, src);
      return b.add(m.mul(tf.gather(x, e).sub(b)));
    },
  };
}
