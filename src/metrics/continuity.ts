import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import { l2 } from './perturbed-explanations.js';
import type { Explainer, MetricOptions, MetricResult } from './result.js';
import { explainRows, metricResult, prepareMetric } from './shared.js';

/** Options of `continuity`. */
export interface ContinuityOptions extends MetricOptions {
  /** Points on the path x + t·δ, t ∈ [0, 1] (default 10). */
  readonly steps?: number;
  /** Norm of the seeded random direction δ relative to ‖x‖ (default 0.1). */
  readonly scale?: number;
}

/**
 * Continuity (Montavon, Samek & Müller, "Methods for Interpreting and Understanding Deep Neural
 * Networks", 2018): along a path x + t·δ the largest ratio ‖e(xₖ) − e(xₖ₊₁)‖₁ / ‖xₖ − xₖ₊₁‖₂ between
 * consecutive points — a Lipschitz constant of the explanation along the path (lower is better).
 */
export async function continuity(model: Model, input: tf.Tensor, method: Explainer, options: ContinuityOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'continuity');
  const steps = options.steps ?? 10;
  check(Number.isInteger(steps) && steps >= 2, 'option', () => `${ctx.fn}: steps must be an integer ≥ 2; found ${steps}`);
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  const F = ctx.features;
  const all = new Float32Array(ctx.n * steps * F);
  ctx.x.forEach((x, i) => {
    const d = rng.normals(F);
    const k = ((options.scale ?? 0.1) * Math.max(l2(x), 1e-6)) / Math.max(l2(d), 1e-12);
    for (let s = 0; s < steps; s++) for (let f = 0; f < F; f++) all[(i * steps + s) * F + f] = x[f] + (s / (steps - 1)) * k * d[f];
  });
  const stacked = tf.tensor(all, [ctx.n * steps, ...input.shape.slice(1)]);
  const e = await explainRows(ctx, method, stacked, Int32Array.from({ length: ctx.n * steps }, (_, r) => Math.floor(r / steps))).finally(() => stacked.dispose());
  const scores = ctx.x.map((_, i) => {
    let worst = 0;
    for (let s = 0; s + 1 < steps; s++) {
      const [a, b] = [e[i * steps + s], e[i * steps + s + 1]];
      const l1 = a.reduce((t, v, f) => t + Math.abs(v - b[f]), 0);
      worst = Math.max(worst, l1 / Math.max(l2(all.subarray((i * steps + s) * F, (i * steps + s + 1) * F), all.subarray((i * steps + s + 1) * F, (i * steps + s + 2) * F)), 1e-12));
    }
    return worst;
  });
  return metricResult(ctx, 'continuity', 'lower', scores);
}
