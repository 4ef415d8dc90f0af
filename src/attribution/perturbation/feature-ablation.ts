import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import type { Baseline } from '../../core/baseline.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import { featureMembers, resolveFeatureMask, type FeatureMask } from '../../core/perturbation/feature-mask.js';
import { maskedPlan, perturbationBaseline, preparePerturbation, scoreInputs, scorePerturbations, targetScore } from '../../core/perturbation/perturbation-batcher.js';

/** Options of `featureAblation`; `batchSize` is Captum's `perturbations_per_eval`. */
export interface FeatureAblationOptions extends LocalOptions {
  /** Which scalars are ablated together (default `'scalars'`: each its own feature). */
  readonly featureMask?: FeatureMask;
  /** What an ablated feature is replaced by — every Baseline kind (default `'zeros'`). */
  readonly baseline?: Baseline;
}

/**
 * Feature ablation: replaces each feature (a scalar, or a group of scalars given by a feature
 * mask) by the baseline, one feature at a time, and gives every scalar of feature k the drop
 * f(x)[t] − f(x with feature k ablated)[t] — Captum's `FeatureAblation`, the leave-one-out
 * ablation of the attribution literature (e.g. Zeiler & Fergus 2014; Li et al., "Understanding
 * Neural Networks through Representation Erasure", 2016). Forward passes only; the ablated copies
 * of all examples go through the model `batchSize` at a time. `meta.features` holds the number of
 * features per example.
 */
export async function featureAblation(model: Model, input: tf.Tensor, options: FeatureAblationOptions = {}): Promise<Attribution> {
  const fn = 'featureAblation';
  const shape = input.shape.slice(1);
  const mask = resolveFeatureMask(options.featureMask, shape, input.shape[0], fn, input);
  const ctx = await preparePerturbation(model, input, options, fn);
  const members = Array.from({ length: ctx.n }, (_, e) => (mask.shared && e > 0 ? null : featureMembers(mask, e)));
  const groupsOf = (e: number): Int32Array[] => (members[e] ?? members[0]) as Int32Array[];
  const offsets = [0];
  for (let e = 0; e < ctx.n; e++) offsets.push(offsets[e] + mask.counts[e]);
  const examples = new Int32Array(offsets[ctx.n]);
  const features = new Int32Array(offsets[ctx.n]);
  for (let e = 0; e < ctx.n; e++) {
    for (let k = 0; k < mask.counts[e]; k++) {
      examples[offsets[e] + k] = e;
      features[offsets[e] + k] = k;
    }
  }
  const baseline = perturbationBaseline(options.baseline, input, ctx.seed, fn);
  try {
    const score = targetScore(ctx.target);
    const full = await scoreInputs(model, input, score, ctx.batchSize, fn);
    const plan = maskedPlan(input, baseline, examples, shape, (r, m) => {
      m.fill(1);
      for (const j of groupsOf(examples[r])[features[r]]) m[j] = 0;
    });
    const { scores, calls } = await scorePerturbations(model, plan, score, ctx.batchSize, options, fn);
    const size = mask.size;
    const values = new Float32Array(ctx.n * size);
    for (let r = 0; r < scores.length; r++) {
      const e = examples[r];
      const diff = full.scores[e] - scores[r];
      for (const j of groupsOf(e)[features[r]]) values[e * size + j] = diff;
    }
    return makeAttribution('feature-ablation', tf.tensor(values, input.shape), ctx.target.classes, { modelCalls: calls + full.calls, features: mask.counts });
  } finally {
    baseline.dispose();
  }
}
