import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { regionCurves, type RegionPerturbationOptions } from './region-perturbation.js';
import type { AttributionSource, MetricResult } from './result.js';
import { metricResult } from './shared.js';

/** Options of `aopc`: those of region perturbation, run in both orders. */
export type AopcOptions = Omit<RegionPerturbationOptions, 'order'>;

/**
 * AOPC difference (Samek et al., IEEE TNNLS 2017): the area over the perturbation curve,
 * AOPC = 1/(L+1) Σₖ f(x) − f(x⁽ᵏ⁾), removing regions most relevant first minus least relevant first.
 * A faithful attribution makes MoRF drop fast and LeRF slowly: higher is better. Both AOPCs are in
 * `details`.
 */
export async function aopc(model: Model, input: tf.Tensor, attributions: AttributionSource, options: AopcOptions = {}): Promise<MetricResult> {
  const area = (start: Float32Array, curves: number[][]): number[] => curves.map((c, i) => c.reduce((s, v) => s + start[i] - v, 0) / (c.length + 1));
  const morf = await regionCurves(model, input, attributions, { ...options, order: 'morf' }, 'aopc');
  const lerf = await regionCurves(model, input, attributions, { ...options, order: 'lerf' }, 'aopc');
  const m = area(morf.start, morf.curves);
  const l = area(lerf.start, lerf.curves);
  const ctx = { calls: morf.ctx.calls + lerf.ctx.calls };
  return metricResult(ctx, 'aopc', 'higher', m.map((v, i) => v - l[i]), { details: { morf: m, lerf: l } });
}
