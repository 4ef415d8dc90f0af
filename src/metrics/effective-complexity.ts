import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { complexityInputs, type ComplexityOptions } from './complexity-common.js';
import type { AttributionSource, MetricResult } from './result.js';
import { metricResult } from './shared.js';

/** Options of `effectiveComplexity`. */
export interface EffectiveComplexityOptions extends ComplexityOptions {
  /** A feature counts when its (normalised) |a| exceeds this (default 1e-5). */
  readonly eps?: number;
}

/**
 * Effective complexity (Nguyen & Martínez, "On Quantitative Aspects of Model Interpretability",
 * 2020): the number of features whose |a| exceeds eps (lower is simpler).
 */
export async function effectiveComplexity(model: Model, input: tf.Tensor, attributions: AttributionSource, options: EffectiveComplexityOptions = {}): Promise<MetricResult> {
  const { ctx, a } = await complexityInputs(model, input, attributions, options, 'effectiveComplexity');
  const eps = options.eps ?? 1e-5;
  return metricResult(ctx, 'effective-complexity', 'lower', a.map((v) => v.reduce((s, t) => s + (t > eps ? 1 : 0), 0)));
}
