import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { complexityInputs, type ComplexityOptions } from './complexity-common.js';
import type { AttributionSource, MetricResult } from './result.js';
import { metricResult } from './shared.js';

/** Options of `complexity`. */
export type EntropyComplexityOptions = ComplexityOptions;

/**
 * Complexity (Bhatt, Weller & Moura, IJCAI 2020): the entropy −Σ q ln(q + 1e-12) of the
 * fractional contributions q = |a| / Σ|a|: 0 for a one-hot map, ln F for a uniform one (lower is
 * simpler).
 */
export async function complexity(model: Model, input: tf.Tensor, attributions: AttributionSource, options: EntropyComplexityOptions = {}): Promise<MetricResult> {
  const { ctx, a } = await complexityInputs(model, input, attributions, options, 'complexity');
  const scores = a.map((v) => {
    const total = v.reduce((s, t) => s + Math.abs(t), 0);
    return total === 0 ? NaN : -v.reduce((s, t) => s + (Math.abs(t) / total) * Math.log(Math.abs(t) / total + 1e-12), 0);
  });
  return metricResult(ctx, 'complexity', 'lower', scores);
}
