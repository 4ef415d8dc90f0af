import * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../../core/attribution.js';
import { resolveBaseline, type Baseline } from '../../core/baseline.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import { DEFAULT_SEED } from '../../core/random.js';
import { deepLiftPairs, type DeepLiftCommonOptions, type DeepLiftReferences } from './deep-lift-pairs.js';
import { singleReference } from './deep-lift.js';

/** Options of `deepLiftShap`. */
export interface DeepLiftShapOptions extends DeepLiftCommonOptions {
  /**
   * The baseline distribution: a tensor `[K, ...inputShape]` of reference examples shared by every
   * example (e.g. a sample of training data; Captum's DeepLiftShap), or a Baseline kind. Default
   * 'zeros'.
   */
  readonly baselines?: Baseline;
  /** Baselines drawn per example from the random kind 'uniform' (seeds seed, seed + 1, …); default 10. */
  readonly samples?: number;
}

/**
 * DeepLIFT-SHAP (Lundberg & Lee, "A Unified Approach to Interpreting Model Predictions", 2017;
 * DeepLIFT from Shrikumar et al. 2017): DeepLIFT against each baseline of a distribution, averaged
 * — Captum's DeepLiftShap. Every (example, baseline) pair is a row, `batchSize` pairs per model
 * call. `meta.delta` is Σ attribution − (f(x) − mean f(x′)), checked like `deepLift`'s.
 */
export async function deepLiftShap(model: Model, input: tf.Tensor, options: DeepLiftShapOptions = {}): Promise<Attribution> {
  const fn = 'deepLiftShap';
  const samples = options.samples ?? 10;
  check(Number.isInteger(samples) && samples >= 1, 'option', () => `${fn}: samples must be a positive integer; found ${samples}`);
  return deepLiftPairs('deeplift-shap', fn, model, input, options, () => distribution(options.baselines, input, samples, fn, options.seed));
}

function distribution(baselines: Baseline | undefined, input: tf.Tensor, samples: number, fn: string, seed?: number): DeepLiftReferences {
  const one = input.shape.slice(1);
  if (baselines instanceof tf.Tensor && baselines.rank === one.length + 1 && baselines.shape.slice(1).every((d, i) => d === one[i])) {
    return { values: baselines.clone(), perExample: false, k: baselines.shape[0] };
  }
  if (baselines !== 'uniform') return singleReference(baselines, input, fn, seed);
  // `samples` seeded uniform baselines per example, arranged example-major: row i·k + j.
  const base = seed ?? DEFAULT_SEED;
  const draws = Array.from({ length: samples }, (_, j) => resolveBaseline('uniform', input, fn, { seed: base + j }));
  const values = tf.tidy(() => {
    const stacked = tf.stack(draws, 1);
    return stacked.reshape([input.shape[0] * samples, ...one]);
  });
  tf.dispose(draws);
  return { values, perExample: true, k: samples };
}
