import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { explainPerturbed, l2, type RobustnessOptions } from './perturbed-explanations.js';
import type { Explainer, MetricResult } from './result.js';
import { metricResult, prepareMetric } from './shared.js';

/** Options of `localLipschitz` (default Gaussian noise, σ = 0.1). */
export type LocalLipschitzOptions = RobustnessOptions;

/**
 * Local Lipschitz estimate (Alvarez-Melis & Jaakkola, "On the Robustness of Interpretability
 * Methods", 2018): max over perturbed copies x′ of ‖e(x) − e(x′)‖₂ / ‖x − x′‖₂ (lower is better).
 */
export async function localLipschitz(model: Model, input: tf.Tensor, method: Explainer, options: LocalLipschitzOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'localLipschitz');
  const { e0, xs, es } = await explainPerturbed(ctx, method, input, { noise: 'gaussian', radius: 0.1, ...options });
  const scores = e0.map((e, i) => Math.max(...es[i].map((ep, s) => l2(ep, e) / Math.max(l2(xs[i][s], ctx.x[i]), 1e-12))));
  return metricResult(ctx, 'local-lipschitz', 'lower', scores);
}
