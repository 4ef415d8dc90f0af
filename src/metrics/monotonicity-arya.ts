import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import type { AttributionPreprocessing, AttributionSource, MetricOptions, MetricOutput, MetricResult, PerturbBaseline } from './result.js';
import { argsort, attributionArrays, baselineValue, evaluateRows, metricResult, prepareMetric, preprocess, stepsOf } from './shared.js';

/** Options of `monotonicityArya`. */
export interface MonotonicityAryaOptions extends MetricOptions, AttributionPreprocessing {
  /** Features inserted per step (default 1). */
  readonly featuresPerStep?: number;
  /** The all-baseline start (default 'black'). */
  readonly baseline?: PerturbBaseline;
  /** Output watched (default `'probabilities'`: the target's probability, a softmax only of logits; see MetricOutput). */
  readonly output?: MetricOutput;
  /**
   * What is inserted: the input's values (default: the metric of the paper), or 'baseline', which
   * reproduces Quantus 0.6, whose perturbation writes the baseline again so the curve is constant.
   */
  readonly insert?: 'input' | 'baseline';
}

/**
 * Monotonicity (Arya et al., "One Explanation Does Not Fit All", 2019): starting from an
 * all-baseline input, inserts the input's features least relevant first (|a|); the score is 1 when
 * the target output never decreases along the way, else 0 (higher is better). `curves` hold the
 * outputs after each step.
 */
export async function monotonicityArya(model: Model, input: tf.Tensor, attributions: AttributionSource, options: MonotonicityAryaOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'monotonicityArya');
  const step = options.featuresPerStep ?? 1;
  const K = stepsOf(ctx.features, step, ctx.fn);
  const a = preprocess(await attributionArrays(ctx, input, attributions), options, { normalise: 'example', abs: true });
  const orders = a.map((v) => argsort(v, false));
  const base = ctx.x.map((x) => baselineValue(x, options.baseline ?? 'black', ctx.fn));
  const fromInput = (options.insert ?? 'input') === 'input';
  const { values } = await evaluateRows(ctx, ctx.n * K, (r) => Math.floor(r / K), (r, out) => {
    const i = Math.floor(r / K);
    out.fill(base[i]);
    if (!fromInput) return;
    const count = Math.min(ctx.features, ((r % K) + 1) * step);
    for (let k = 0; k < count; k++) out[orders[i][k]] = ctx.x[i][orders[i][k]];
  }, options.output ?? 'probabilities');
  const curves = Array.from({ length: ctx.n }, (_, i) => Array.from(values.subarray(i * K, (i + 1) * K)));
  const scores = curves.map((c) => (c.every((v, k) => k === 0 || v >= c[k - 1]) ? 1 : 0));
  return metricResult(ctx, 'monotonicity-arya', 'higher', scores, { curves });
}
