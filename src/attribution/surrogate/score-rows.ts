import type * as tf from '@tensorflow/tfjs';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import type { ResolvedTarget } from '../../core/target.js';
import { scorePerturbations, targetScore } from '../../core/perturbation/perturbation-batcher.js';

/**
 * The target score of `examples.length` model inputs through the perturbation batcher
 * (`batchSize` rows per model call): `build(start, end)` returns rows start…end−1 as a batch, and
 * row r is scored for example `examples[r]`. Scores come back in float64 for the surrogate fits; a
 * non-finite score is a LumenError naming the example.
 */
export async function scoreRows(
  model: Model,
  target: ResolvedTarget,
  examples: Int32Array,
  build: (start: number, end: number) => tf.Tensor,
  batchSize: number,
  options: Pick<LocalOptions, 'signal' | 'onProgress'>,
  fn: string,
): Promise<{ scores: Float64Array; calls: number }> {
  const { scores, calls } = await scorePerturbations(model, { examples, build }, targetScore(target), batchSize, options, fn);
  scores.forEach((s, r) => check(Number.isFinite(s), 'numeric', () => `${fn}: the model returned a non-finite score (${s}) on a perturbation of example ${examples[r]}`));
  return { scores: Float64Array.from(scores), calls };
}
