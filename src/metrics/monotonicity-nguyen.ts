import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import type { AttributionPreprocessing, AttributionSource, MetricOptions, MetricOutput, MetricResult, PerturbBaseline } from './result.js';
import { argsort, attributionArrays, evaluateInputs, metricResult, prepareMetric, preprocess, spearman, stepsOf } from './shared.js';
import { chunks, removeGroups } from './single-removal.js';

/** Options of `monotonicityNguyen`. */
export interface MonotonicityNguyenOptions extends MetricOptions, AttributionPreprocessing {
  /** Features removed together (default 1). */
  readonly featuresPerStep?: number;
  /** Value of removed features (default 'black'). */
  readonly baseline?: PerturbBaseline;
  /** Output watched (default `'probabilities'`: the target's probability, a softmax only of logits; see MetricOutput). */
  readonly output?: MetricOutput;
}

/**
 * Monotonicity correlation (Nguyen & Martínez, "On Quantitative Aspects of Model
 * Interpretability", 2020): removes each group of features on its own and takes the Spearman
 * correlation between the group's |attribution| and the squared change of the output (higher is
 * better).
 */
export async function monotonicityNguyen(model: Model, input: tf.Tensor, attributions: AttributionSource, options: MonotonicityNguyenOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'monotonicityNguyen');
  const step = options.featuresPerStep ?? 1;
  stepsOf(ctx.features, step, ctx.fn);
  const output = options.output ?? 'probabilities';
  const a = preprocess(await attributionArrays(ctx, input, attributions), options, { normalise: 'example', abs: true });
  const groups = a.map((v) => chunks(argsort(v, false), step));
  const y = await removeGroups(ctx, groups, options.baseline ?? 'black', output);
  const y0 = (await evaluateInputs(ctx, output)).values;
  const scores = groups.map((gs, i) => spearman(gs.map((g) => g.reduce((s, f) => s + a[i][f], 0)), y[i].map((v) => (v - y0[i]) ** 2)));
  return metricResult(ctx, 'monotonicity-nguyen', 'higher', scores);
}
