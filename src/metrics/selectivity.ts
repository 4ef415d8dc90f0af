import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { regionCurves, type RegionPerturbationOptions } from './region-perturbation.js';
import type { AttributionSource, MetricResult } from './result.js';
import { metricResult, trapezoid } from './shared.js';

/** Options of `selectivity`: those of region perturbation (always most relevant first). */
export type SelectivityOptions = Omit<RegionPerturbationOptions, 'order'>;

/**
 * Selectivity (Montavon, Samek & Müller, "Methods for Interpreting and Understanding Deep Neural
 * Networks", DSP 2018): removes regions most relevant first and records the output after each
 * removal (`curves`, one point per region, without the unperturbed one as Quantus); the score is
 * the area under the curve starting from the unperturbed output, over [0, 1] (lower is better).
 */
export async function selectivity(model: Model, input: tf.Tensor, attributions: AttributionSource, options: SelectivityOptions = {}): Promise<MetricResult> {
  const { ctx, start, curves } = await regionCurves(model, input, attributions, { ...options, order: 'morf' }, 'selectivity');
  const scores = curves.map((c, i) => trapezoid([start[i], ...c], 1 / c.length));
  return metricResult(ctx, 'selectivity', 'lower', scores, { curves });
}
