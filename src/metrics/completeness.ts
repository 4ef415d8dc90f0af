import * as tf from '@tensorflow/tfjs';
import { resolveBaseline, type Baseline } from '../core/baseline.js';
import type { Model } from '../core/model.js';
import type { AttributionSource, MetricOptions, MetricOutput, MetricResult } from './result.js';
import { attributionArrays, evaluateInputs, evaluateRows, metricResult, prepareMetric, splitRows } from './shared.js';

/** Options of `completeness`. */
export interface CompletenessOptions extends MetricOptions {
  /** The reference input (default 'zeros'). */
  readonly baseline?: Baseline;
  /** Output the attribution should sum to the change of (default the target's raw score). */
  readonly output?: MetricOutput;
}

/**
 * Completeness (Sundararajan et al., "Axiomatic Attribution for Deep Networks", ICML 2017; Bach
 * et al. 2015's conservation): the gap |Σ a − (f(x) − f(baseline))| relative to |f(x) − f(baseline)|
 * (lower is better; 0 for complete methods). Both sides are in `details`.
 */
export async function completeness(model: Model, input: tf.Tensor, attributions: AttributionSource, options: CompletenessOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'completeness');
  const output = options.output ?? 'logits';
  const a = await attributionArrays(ctx, input, attributions);
  const b = resolveBaseline(options.baseline, input, ctx.fn, { seed: options.seed });
  const base = splitRows(await b.data(), ctx.n);
  tf.dispose(b);
  const atBase = (await evaluateRows(ctx, ctx.n, (r) => r, (r, out) => out.set(base[r]), output)).values;
  const atInput = (await evaluateInputs(ctx, output)).values;
  const sums = a.map((v) => v.reduce((s, t) => s + t, 0));
  const differences = sums.map((_, i) => atInput[i] - atBase[i]);
  const scores = sums.map((s, i) => Math.abs(s - differences[i]) / Math.max(Math.abs(differences[i]), 1e-12));
  return metricResult(ctx, 'completeness', 'lower', scores, { details: { attributionSums: sums, outputDifferences: differences } });
}
