import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import type { AttributionPreprocessing, AttributionSource, MetricOptions, MetricOutput, MetricResult, PerturbBaseline } from './result.js';
import { attributionArrays, evaluateInputs, metricResult, prepareMetric, preprocess, stepsOf } from './shared.js';
import { chunks, removeGroups } from './single-removal.js';

/** Options of `nonSensitivity`. */
export interface NonSensitivityOptions extends MetricOptions, AttributionPreprocessing {
  /** Below this |a| a feature counts as unattributed, and below this change the output is unchanged (default 1e-5). */
  readonly eps?: number;
  /** Features removed together (default 1). */
  readonly featuresPerStep?: number;
  /** Value of removed features (default 'black'). */
  readonly baseline?: PerturbBaseline;
  /** Output watched (default `'probabilities'`: the target's probability, a softmax only of logits; see MetricOutput). */
  readonly output?: MetricOutput;
}

/**
 * Non-sensitivity (Nguyen & Martínez 2020, after the dummy axiom): the number of features that
 * either get no attribution although removing them changes the output, or get attribution although
 * removing them changes nothing (lower is better).
 */
export async function nonSensitivity(model: Model, input: tf.Tensor, attributions: AttributionSource, options: NonSensitivityOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'nonSensitivity');
  const eps = options.eps ?? 1e-5;
  const step = options.featuresPerStep ?? 1;
  stepsOf(ctx.features, step, ctx.fn);
  const output = options.output ?? 'probabilities';
  const a = preprocess(await attributionArrays(ctx, input, attributions), options, { normalise: 'example', abs: true });
  const groups = a.map((v) => {
    const non = v.reduce<number[]>((s, t, f) => (t < eps ? [...s, f] : s), []);
    const other = v.reduce<number[]>((s, t, f) => (t < eps ? s : [...s, f]), []);
    return [...chunks(non, step), ...chunks(other, step)];
  });
  const y = await removeGroups(ctx, groups, options.baseline ?? 'black', output);
  const y0 = (await evaluateInputs(ctx, output)).values;
  const scores = groups.map((gs, i) => gs.reduce((count, g, k) => {
    const noChange = Math.abs(y0[i] - y[i][k]) < eps;
    return count + g.reduce((c, f) => c + (noChange !== a[i][f] < eps ? 1 : 0), 0);
  }, 0));
  return metricResult(ctx, 'non-sensitivity', 'lower', scores);
}
