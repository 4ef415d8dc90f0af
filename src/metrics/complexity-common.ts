/** The entry shared by the complexity metrics: attributions only, no model calls. */
import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import type { AttributionPreprocessing, AttributionSource, MetricOptions } from './result.js';
import { attributionArrays, prepareMetric, preprocess, type MetricContext } from './shared.js';

/** Options of the complexity metrics (defaults: |a|, each example divided by its max). */
export interface ComplexityOptions extends MetricOptions, AttributionPreprocessing {}

/** Checks the arguments and returns the pre-processed attributions. */
export async function complexityInputs(model: Model, input: tf.Tensor, attributions: AttributionSource, options: ComplexityOptions, fn: string): Promise<{ ctx: MetricContext; a: Float32Array[] }> {
  const ctx = await prepareMetric(model, input, options, fn);
  return { ctx, a: preprocess(await attributionArrays(ctx, input, attributions), options, { normalise: 'example', abs: true }) };
}
