import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { pixelPathCurves, type DeletionOptions } from './deletion.js';
import type { AttributionSource, MetricResult } from './result.js';
import { metricResult, trapezoid } from './shared.js';

/** Options of `insertion` (its baseline, where insertion starts, defaults to 'blur'). */
export type InsertionOptions = DeletionOptions;

/**
 * Insertion (Petsiuk, Das & Saenko, "RISE", BMVC 2018): starts from a baseline (a blurred copy by
 * default), inserts the input's pixels most relevant first and records the target probability; the
 * score is the area under the curve over [0, 1] (higher is better).
 */
export async function insertion(model: Model, input: tf.Tensor, attributions: AttributionSource, options: InsertionOptions = {}): Promise<MetricResult> {
  const { ctx, curves } = await pixelPathCurves(model, input, attributions, options, 'insertion', 'insertion');
  return metricResult(ctx, 'insertion', 'higher', curves.map((c) => trapezoid(c, 1 / (c.length - 1))), { curves });
}
