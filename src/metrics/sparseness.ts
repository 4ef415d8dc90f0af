import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { complexityInputs, type ComplexityOptions } from './complexity-common.js';
import type { AttributionSource, MetricResult } from './result.js';
import { metricResult } from './shared.js';

/** Options of `sparseness`. */
export type SparsenessOptions = ComplexityOptions;

/**
 * Sparseness (Chalasani et al., "Concise Explanations of Neural Networks using Adversarial
 * Training", ICML 2020): the Gini index of |a| (+1e-7), Σₖ (2k − F − 1) a₍ₖ₎ / (F Σ a) over the
 * sorted values: 1 for a one-hot map, 0 for a uniform one (higher is sparser).
 */
export async function sparseness(model: Model, input: tf.Tensor, attributions: AttributionSource, options: SparsenessOptions = {}): Promise<MetricResult> {
  const { ctx, a } = await complexityInputs(model, input, attributions, options, 'sparseness');
  const scores = a.map((v) => {
    const s = Float64Array.from(v, (t) => t + 1e-7).sort();
    const F = s.length;
    let num = 0;
    let den = 0;
    s.forEach((t, k) => {
      num += (2 * (k + 1) - F - 1) * t;
      den += t;
    });
    return num / (F * den);
  });
  return metricResult(ctx, 'sparseness', 'higher', scores);
}
