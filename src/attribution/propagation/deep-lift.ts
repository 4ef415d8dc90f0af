import * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../../core/attribution.js';
import { resolveBaseline, type Baseline } from '../../core/baseline.js';
import type { Model } from '../../core/model.js';
import { deepLiftPairs, type DeepLiftCommonOptions, type DeepLiftReferences } from './deep-lift-pairs.js';

/** Options of `deepLift`. */
export interface DeepLiftOptions extends DeepLiftCommonOptions {
  /** The reference input; default 'zeros'. With `layer`, the layer's output at the baseline input. */
  readonly baseline?: Baseline;
}

/**
 * DeepLIFT (Shrikumar, Greenside & Kundaje, "Learning Important Features Through Propagating
 * Activation Differences", 2017): (x − x′) ⊙ m, with the multipliers m back-propagated by the
 * rescale rule (Δy/Δx at every non-linearity, the gradient where |Δx| < eps), Captum's max-pool
 * and softmax rules, and the gradient through linear ops — Captum's DeepLift. `rule:
 * 'reveal-cancel'` treats the activation after each dense layer with the paper's separate positive
 * and negative multipliers. `meta.delta` is Σ attribution − (f(x) − f(x′)), checked against
 * `tolerance` (a warning in `meta.warnings`, or an error when `strict`). With `layer`, it is
 * Captum's LayerDeepLift (attribution to the layer's output).
 */
export async function deepLift(model: Model, input: tf.Tensor, options: DeepLiftOptions = {}): Promise<Attribution> {
  const fn = 'deepLift';
  return deepLiftPairs('deeplift', fn, model, input, options, () => singleReference(options.baseline, input, fn, options.seed));
}

/** One reference per example: a single shared row when the baseline is the same for every example. */
export function singleReference(baseline: Baseline | undefined, input: tf.Tensor, fn: string, seed?: number): DeepLiftReferences {
  const one = input.shape.slice(1);
  if (baseline === undefined || baseline === 'zeros') return { values: tf.zeros([1, ...one]), perExample: false, k: 1 };
  if (typeof baseline === 'number') return { values: tf.fill([1, ...one], baseline), perExample: false, k: 1 };
  if (baseline instanceof tf.Tensor && baseline.size === one.reduce((a, b) => a * b, 1) && (baseline.rank === one.length || baseline.shape[0] === 1)) {
    const first = input.slice(0, 1);
    try {
      return { values: resolveBaseline(baseline, first, fn, { seed }), perExample: false, k: 1 };
    } finally {
      first.dispose();
    }
  }
  return { values: resolveBaseline(baseline, input, fn, { seed }), perExample: true, k: 1 };
}
