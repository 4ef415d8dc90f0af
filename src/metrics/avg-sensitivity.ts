import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { explainPerturbed, l2, type RobustnessOptions } from './perturbed-explanations.js';
import type { Explainer, MetricResult } from './result.js';
import { metricResult, prepareMetric } from './shared.js';

/** Options of `avgSensitivity`. */
export type AvgSensitivityOptions = RobustnessOptions;

/**
 * Average sensitivity (Yeh et al., NeurIPS 2019): the mean over perturbed copies x′ of
 * ‖e(x′) − e(x)‖ / ‖e(x)‖ (lower is better).
 */
export async function avgSensitivity(model: Model, input: tf.Tensor, method: Explainer, options: AvgSensitivityOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'avgSensitivity');
  const { e0, es } = await explainPerturbed(ctx, method, input, options);
  const scores = e0.map((e, i) => es[i].reduce((s, ep) => s + l2(ep, e), 0) / es[i].length / (l2(e) || 1));
  return metricResult(ctx, 'avg-sensitivity', 'lower', scores);
}
