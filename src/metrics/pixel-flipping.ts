import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import type { AttributionPreprocessing, AttributionSource, MetricOptions, MetricOutput, MetricResult, PerturbBaseline } from './result.js';
import { argsort, attributionArrays, baselineValue, evaluateInputs, evaluateRows, fillRemoved, metricResult, prepareMetric, preprocess, stepsOf, trapezoid } from './shared.js';

/** Options of `pixelFlipping`. */
export interface PixelFlippingOptions extends MetricOptions, AttributionPreprocessing {
  /** Features removed per step (default 1). */
  readonly featuresPerStep?: number;
  /** Value of removed features (default 'black': each example's minimum). */
  readonly baseline?: PerturbBaseline;
  /** Output watched (default `'probabilities'`: the target's probability, a softmax only of logits; see MetricOutput). */
  readonly output?: MetricOutput;
  /** Start the curve with the unperturbed prediction (default true; Quantus: false). */
  readonly includeStart?: boolean;
}

/**
 * Pixel flipping (Bach et al., "On Pixel-Wise Explanations …", PLoS ONE 2015): removes features
 * cumulatively, most relevant first, and records the prediction after each step. The score is the
 * area under that curve over [0, 1] (lower: the attribution found the evidence); the curves are in
 * `curves`.
 */
export async function pixelFlipping(model: Model, input: tf.Tensor, attributions: AttributionSource, options: PixelFlippingOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'pixelFlipping');
  const step = options.featuresPerStep ?? 1;
  const K = stepsOf(ctx.features, step, ctx.fn);
  const output = options.output ?? 'probabilities';
  const a = preprocess(await attributionArrays(ctx, input, attributions), options, { normalise: 'example', abs: false });
  const orders = a.map((v) => argsort(v, true));
  const base = ctx.x.map((x) => baselineValue(x, options.baseline ?? 'black', ctx.fn));
  const { values } = await evaluateRows(ctx, ctx.n * K, (r) => Math.floor(r / K), (r, out) => {
    const i = Math.floor(r / K);
    fillRemoved(out, ctx.x[i], orders[i], Math.min(ctx.features, ((r % K) + 1) * step), base[i]);
  }, output);
  const start = options.includeStart ?? true ? (await evaluateInputs(ctx, output)).values : null;
  const curves = Array.from({ length: ctx.n }, (_, i) => [...(start ? [start[i]] : []), ...values.subarray(i * K, (i + 1) * K)]);
  const scores = curves.map((c) => trapezoid(c, 1 / Math.max(1, c.length - 1)));
  return metricResult(ctx, 'pixel-flipping', 'lower', scores, { curves });
}
