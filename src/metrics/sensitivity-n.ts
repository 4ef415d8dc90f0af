import type * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import { randomSubsets, subsetDrops } from './random-subsets.js';
import type { AttributionSource, MetricOptions, MetricOutput, MetricResult, PerturbBaseline } from './result.js';
import { attributionArrays, evaluateInputs, finiteMean, metricResult, pearson, prepareMetric } from './shared.js';

/** Options of `sensitivityN`. */
export interface SensitivityNOptions extends MetricOptions {
  /** Subset sizes n (default 1%, 5%, 10%, 20% and 50% of the features). */
  readonly sizes?: readonly number[];
  /** Random subsets per size and example (default 50). */
  readonly samples?: number;
  /** Value of removed features (default 0, as in the paper). */
  readonly baseline?: PerturbBaseline;
  /** Output watched (default the target's raw score, as in the paper). */
  readonly output?: MetricOutput;
}

/**
 * Sensitivity-n (Ancona et al., "Towards Better Understanding of Gradient-based Attribution
 * Methods", ICLR 2018): for each subset size n, the Pearson correlation over seeded random subsets
 * between the subset's total attribution and the output drop when it is removed. `curves` hold the
 * correlation per size; the score is their mean (higher is better).
 */
export async function sensitivityN(model: Model, input: tf.Tensor, attributions: AttributionSource, options: SensitivityNOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'sensitivityN');
  const F = ctx.features;
  const sizes = options.sizes ?? [...new Set([0.01, 0.05, 0.1, 0.2, 0.5].map((p) => Math.max(1, Math.round(p * F))))];
  for (const n of sizes) check(Number.isInteger(n) && n >= 1 && n <= F, 'option', () => `${ctx.fn}: subset sizes must be integers in 1…${F}; found ${n}`);
  const samples = options.samples ?? 50;
  const output = options.output ?? 'logits';
  const a = await attributionArrays(ctx, input, attributions);
  const y0 = (await evaluateInputs(ctx, output)).values;
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  const perSize: number[][] = [];
  for (const n of sizes) {
    const subsets = a.map(() => randomSubsets(rng, F, n, samples));
    const { mass, drop } = await subsetDrops(ctx, a, subsets, y0, options.baseline ?? 0, output);
    perSize.push(mass.map((m, i) => pearson(m, drop[i])));
  }
  const curves = a.map((_, i) => perSize.map((c) => c[i]));
  return metricResult(ctx, 'sensitivity-n', 'higher', curves.map((c) => finiteMean(c)), { curves, details: { sizes } });
}
