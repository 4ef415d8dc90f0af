import type * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import type { AttributionPreprocessing, AttributionSource, MetricOptions, MetricResult } from './result.js';
import { geometryOf, metricResult, pixelAttributions, prepareMetric } from './shared.js';

/** Options of `focus`. */
export interface FocusOptions extends MetricOptions, AttributionPreprocessing {
  /** Per example, 4 flags [top-left, top-right, bottom-left, bottom-right]: 1 where the mosaic's tile is of the target class. */
  readonly quadrants: readonly (readonly number[])[];
}

/**
 * Focus (Arias-Duart et al., "Focus! Rating XAI Methods and Finding Biases", FUZZ-IEEE 2022): the
 * inputs are 2 × 2 mosaics; the score is the share of positive attribution on the tiles of the
 * target class, Σ a⁺·mask / (Σ a⁺ + 1e-9) (higher is better). Attributions may be reduced over
 * channels (`[N, H, W, 1]`).
 */
export async function focus(model: Model, input: tf.Tensor, attributions: AttributionSource, options: FocusOptions): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'focus');
  const quads = options.quadrants;
  check(Array.isArray(quads) && quads.length === ctx.n && quads.every((q) => q.length === 4), 'option', () => `focus: quadrants must hold 4 flags per example (${ctx.n} examples)`);
  const g = geometryOf(model, ctx.features);
  const [hh, hw] = [Math.floor(g.h / 2), Math.floor(g.w / 2)];
  const a = await pixelAttributions(ctx, input, attributions, options, { normalise: 'example', abs: false });
  const scores = a.map((v, i) => {
    let inside = 0;
    let total = 0;
    v.forEach((t, q) => {
      const pos = Math.max(t, 0);
      const quadrant = (Math.floor(q / g.w) >= hh ? 2 : 0) + (q % g.w >= hw ? 1 : 0);
      inside += pos * quads[i][quadrant];
      total += pos;
    });
    return inside / (total + 1e-9);
  });
  return metricResult(ctx, 'focus', 'higher', scores);
}
