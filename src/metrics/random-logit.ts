import type * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import type { Explainer, MetricOptions, MetricResult } from './result.js';
import { explainerOf, geometryOf, metricResult, prepareMetric, splitRows } from './shared.js';
import { explanationSimilarity, type SimilarityMeasure } from './similarity.js';

/** Options of `randomLogit`. */
export interface RandomLogitOptions extends MetricOptions {
  /** Similarity of the two explanations (default 'ssim', as Sixt et al.). */
  readonly similarity?: SimilarityMeasure;
}

/**
 * Random logit test (Sixt, Granz & Landgraf, "When Explanations Lie", ICML 2020): the similarity
 * between the explanation of the target class and that of a seeded random other class; a
 * class-sensitive explanation scores low (lower is better).
 */
export async function randomLogit(model: Model, input: tf.Tensor, method: Explainer, options: RandomLogitOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'randomLogit');
  const classes = ctx.target.classes;
  check(classes !== null, 'target', () => `${ctx.fn}: needs class targets`);
  const k = model.outputShape.reduce((a, b) => a * b, 1);
  check(k >= 2, 'model', () => `${ctx.fn}: needs a model with at least 2 outputs; found ${k}`);
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  const other = classes.map((c) => (c + 1 + rng.int(k - 1)) % k);
  const run = explainerOf(method);
  const explain = async (target: number[]): Promise<Float32Array[]> => {
    const a = await run(model, input, { ...options.explainOptions, target, seed: options.explainOptions?.seed ?? options.seed });
    ctx.calls++;
    try {
      return splitRows(await a.values.data(), ctx.n);
    } finally {
      a.dispose();
    }
  };
  const a = await explain([...classes]);
  const b = await explain(other);
  const g = geometryOf(model, ctx.features);
  const scores = a.map((v, i) => explanationSimilarity(v, b[i], options.similarity ?? 'ssim', g));
  return metricResult(ctx, 'random-logit', 'lower', scores, { details: { otherClasses: other } });
}
