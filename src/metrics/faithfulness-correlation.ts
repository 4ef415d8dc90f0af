import type * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import { randomSubsets, subsetDrops } from './random-subsets.js';
import type { AttributionPreprocessing, AttributionSource, MetricOptions, MetricOutput, MetricResult, PerturbBaseline } from './result.js';
import { attributionArrays, evaluateInputs, metricResult, pearson, prepareMetric, preprocess } from './shared.js';

/** Options of `faithfulnessCorrelation`. */
export interface FaithfulnessCorrelationOptions extends MetricOptions, AttributionPreprocessing {
  /** Random subsets per example (default 100). */
  readonly runs?: number;
  /** Features per subset (default 10% of the features). */
  readonly subsetSize?: number;
  /** Value of removed features (default 'black'). */
  readonly baseline?: PerturbBaseline;
  /** Output watched (default `'probabilities'`: the target's probability, a softmax only of logits; see MetricOutput). */
  readonly output?: MetricOutput;
}

/**
 * Faithfulness correlation (Bhatt, Weller & Moura, "Evaluating and Aggregating Feature-based Model
 * Explanations", IJCAI 2020): over seeded random feature subsets S, the Pearson correlation between
 * Σ_{f∈S} a_f and f(x) − f(x with S removed) (higher is better).
 */
export async function faithfulnessCorrelation(model: Model, input: tf.Tensor, attributions: AttributionSource, options: FaithfulnessCorrelationOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'faithfulnessCorrelation');
  const runs = options.runs ?? 100;
  const size = options.subsetSize ?? Math.max(1, Math.round(ctx.features / 10));
  check(Number.isInteger(runs) && runs >= 2, 'option', () => `${ctx.fn}: runs must be an integer ≥ 2; found ${runs}`);
  check(Number.isInteger(size) && size >= 1 && size <= ctx.features, 'option', () => `${ctx.fn}: subsetSize must be an integer in 1…${ctx.features}; found ${size}`);
  const output = options.output ?? 'probabilities';
  const a = preprocess(await attributionArrays(ctx, input, attributions), options, { normalise: 'example', abs: false });
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  const subsets = a.map(() => randomSubsets(rng, ctx.features, size, runs));
  const y0 = (await evaluateInputs(ctx, output)).values;
  const { mass, drop } = await subsetDrops(ctx, a, subsets, y0, options.baseline ?? 'black', output);
  return metricResult(ctx, 'faithfulness-correlation', 'higher', mass.map((m, i) => pearson(m, drop[i])));
}
