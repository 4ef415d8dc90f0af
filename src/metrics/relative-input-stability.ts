import * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { explainPerturbed, l2, type RobustnessOptions } from './perturbed-explanations.js';
import type { Explainer, MetricResult } from './result.js';
import { metricResult, prepareMetric, splitRows, type MetricContext } from './shared.js';

/** Options of the relative stability metrics (default Gaussian noise, σ = 0.05). */
export interface RelativeStabilityOptions extends RobustnessOptions {
  /** Floor of denominators (default 1e-6). */
  readonly epsMin?: number;
}

/** ‖(a − b) / (a + ε)‖₂, the relative change of Agarwal et al. (ε keeps zeros finite). */
export function relativeChange(a: ArrayLike<number>, b: ArrayLike<number>, eps = 1e-6): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const den = a[i] === 0 ? eps : a[i];
    s += ((a[i] - b[i]) / den) ** 2;
  }
  return Math.sqrt(s);
}

/**
 * The shared body of the relative stabilities: max over copies of the relative explanation change
 * divided by `denominator(i, s)`, floored at epsMin.
 */
export async function relativeStability(
  model: Model, input: tf.Tensor, method: Explainer, options: RelativeStabilityOptions, fn: string, metric: string,
  denominator: (ctx: MetricContext, xs: Float32Array[][]) => Promise<(i: number, s: number) => number>,
): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, fn);
  const { e0, xs, es } = await explainPerturbed(ctx, method, input, { noise: 'gaussian', radius: 0.05, ...options });
  const den = await denominator(ctx, xs);
  const epsMin = options.epsMin ?? 1e-6;
  const scores = e0.map((e, i) => Math.max(...es[i].map((ep, s) => relativeChange(e, ep) / Math.max(den(i, s), epsMin))));
  return metricResult(ctx, metric, 'lower', scores);
}

/** Runs the model on the perturbed copies and returns a function of (example, copy) → output row, plus the originals'. */
export async function copyOutputs(ctx: MetricContext, xs: Float32Array[][], layer: string | null): Promise<{ original: Float32Array[]; copies: Float32Array[][] }> {
  const S = xs[0].length;
  const rows = [...ctx.x, ...xs.flat()];
  const data = new Float32Array(rows.length * ctx.features);
  rows.forEach((r, k) => data.set(r, k * ctx.features));
  const out: Float32Array[] = [];
  for (let start = 0; start < rows.length; start += ctx.batchSize) {
    const end = Math.min(rows.length, start + ctx.batchSize);
    const x = tf.tensor(data.subarray(start * ctx.features, end * ctx.features), [end - start, ...ctx.model.inputShape]);
    const y = layer === null ? await ctx.model.predict(x) : tf.tidy(() => ctx.model.run(x, { capture: [layer] }).captured[layer]);
    out.push(...splitRows(await y.data(), end - start));
    tf.dispose([x, y]);
    ctx.calls++;
  }
  return { original: out.slice(0, ctx.n), copies: ctx.x.map((_, i) => out.slice(ctx.n + i * S, ctx.n + (i + 1) * S)) };
}

/**
 * Relative input stability (Agarwal et al., "Rethinking Stability for Attribution-based
 * Explanations", 2022): max over copies x′ of ‖(e − e′)/e‖ / max(‖(x − x′)/x‖, ε) (lower is better).
 */
export async function relativeInputStability(model: Model, input: tf.Tensor, method: Explainer, options: RelativeStabilityOptions = {}): Promise<MetricResult> {
  return relativeStability(model, input, method, options, 'relativeInputStability', 'relative-input-stability', async (ctx, xs) => (i, s) => relativeChange(ctx.x[i], xs[i][s]));
}

