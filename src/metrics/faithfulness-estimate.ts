import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import type { AttributionPreprocessing, AttributionSource, MetricOptions, MetricOutput, MetricResult, PerturbBaseline } from './result.js';
import { argsort, attributionArrays, evaluateInputs, metricResult, pearson, prepareMetric, preprocess, stepsOf } from './shared.js';
import { chunks, removeGroups } from './single-removal.js';

/** Options of `faithfulnessEstimate`. */
export interface FaithfulnessEstimateOptions extends MetricOptions, AttributionPreprocessing {
  /** Features removed together (default 1). */
  readonly featuresPerStep?: number;
  /** Value of removed features (default 'black'). */
  readonly baseline?: PerturbBaseline;
  /** Output watched (default `'probabilities'`: the target's probability, a softmax only of logits; see MetricOutput). */
  readonly output?: MetricOutput;
}

/**
 * Faithfulness estimate (Alvarez-Melis & Jaakkola, "Towards Robust Interpretability with
 * Self-Explaining Neural Networks", NeurIPS 2018): removes each group of features on its own and
 * correlates (Pearson) the group's attribution with the output drop (higher is better).
 */
export async function faithfulnessEstimate(model: Model, input: tf.Tensor, attributions: AttributionSource, options: FaithfulnessEstimateOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'faithfulnessEstimate');
  const step = options.featuresPerStep ?? 1;
  stepsOf(ctx.features, step, ctx.fn);
  const output = options.output ?? 'probabilities';
  const a = preprocess(await attributionArrays(ctx, input, attributions), options, { normalise: 'example', abs: false });
  const groups = a.map((v) => chunks(argsort(v, true), step));
  const y = await removeGroups(ctx, groups, options.baseline ?? 'black', output);
  const y0 = (await evaluateInputs(ctx, output)).values;
  const scores = groups.map((gs, i) => pearson(gs.map((g) => g.reduce((s, f) => s + a[i][f], 0)), y[i].map((v) => y0[i] - v)));
  return metricResult(ctx, 'faithfulness-estimate', 'higher', scores);
}
