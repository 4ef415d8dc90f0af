import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { explainPerturbed, l2, type RobustnessOptions } from './perturbed-explanations.js';
import type { Explainer, MetricResult } from './result.js';
import { metricResult, prepareMetric } from './shared.js';

/** Options of `maxSensitivity`. */
export type MaxSensitivityOptions = RobustnessOptions;

/**
 * Max-sensitivity (Yeh et al., "On the (In)fidelity and Sensitivity of Explanations", NeurIPS
 * 2019; Captum's `sensitivity_max`): max over perturbed copies x′ of ‖e(x′) − e(x)‖ / ‖e(x)‖ (the
 * denominator 1 when e(x) = 0), explaining the target of x (lower is better).
 */
export async function maxSensitivity(model: Model, input: tf.Tensor, method: Explainer, options: MaxSensitivityOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'maxSensitivity');
  const { e0, es } = await explainPerturbed(ctx, method, input, options);
  const scores = e0.map((e, i) => Math.max(...es[i].map((ep) => l2(ep, e))) / (l2(e) || 1));
  return metricResult(ctx, 'max-sensitivity', 'lower', scores);
}
