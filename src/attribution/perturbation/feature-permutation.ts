import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import { Rng } from '../../core/random.js';
import { featureMembers, resolveFeatureMask, type FeatureMask } from '../../core/perturbation/feature-mask.js';
import { maskedPlan, preparePerturbation, scoreInputs, scorePerturbations, targetScore } from '../../core/perturbation/perturbation-batcher.js';

/** Options of `featurePermutation`. */
export interface FeaturePermutationOptions extends LocalOptions {
  /** Which scalars are permuted together; one mask for the whole batch (default `'scalars'`). */
  readonly featureMask?: FeatureMask;
  /** Permutations drawn per feature, averaged (default 1, as Captum). */
  readonly samples?: number;
}

/**
 * Feature permutation: for each feature, shuffles its values across the examples of the batch
 * (a seeded random permutation that is not the identity, the same for every scalar of the
 * feature) and gives each example's feature the drop f(x)[t] − f(x with the feature permuted)[t]
 * — Captum's `FeaturePermutation`, the per-example form of permutation importance (Breiman,
 * "Random Forests", 2001; Fisher, Rudin & Dominici, "All Models are Wrong, but Many are Useful",
 * 2019). Needs at least two examples; with `samples` > 1 the drops of several permutations are
 * averaged. Forward passes only, `batchSize` permuted rows per model call.
 */
export async function featurePermutation(model: Model, input: tf.Tensor, options: FeaturePermutationOptions = {}): Promise<Attribution> {
  const fn = 'featurePermutation';
  const n = input.shape[0];
  const samples = options.samples ?? 1;
  check(Number.isInteger(samples) && samples >= 1, 'option', () => `${fn}: samples must be a positive integer; found ${samples}`);
  check(n >= 2, 'shape', () => `${fn}: permutes features across the batch, so it needs at least 2 examples; found ${n}`);
  const shape = input.shape.slice(1);
  const mask = resolveFeatureMask(options.featureMask, shape, n, fn, input);
  check(mask.shared, 'shape', () => `${fn}: the feature mask must be the same for every example (one mask for the batch); found one per example`);
  const ctx = await preparePerturbation(model, input, options, fn);
  const groups = featureMembers(mask, 0);
  const features = groups.length;
  const rng = new Rng(ctx.seed);
  const perms: Int32Array[] = [];
  for (let p = 0; p < samples * features; p++) {
    let perm = rng.permutation(n);
    while (perm.every((v, i) => v === i)) perm = rng.permutation(n);
    perms.push(perm);
  }
  const rows = samples * features * n;
  const examples = Int32Array.from({ length: rows }, (_, r) => r % n);
  const groupOf = (r: number): number => Math.floor(r / n) % features;
  const score = targetScore(ctx.target);
  const full = await scoreInputs(model, input, score, ctx.batchSize, fn);
  const plan = maskedPlan(
    input,
    input,
    examples,
    shape,
    (r, m) => {
      m.fill(1);
      for (const j of groups[groupOf(r)]) m[j] = 0;
    },
    (r) => perms[Math.floor(r / n)][r % n],
  );
  const { scores, calls } = await scorePerturbations(model, plan, score, ctx.batchSize, options, fn);
  const values = new Float32Array(n * mask.size);
  for (let r = 0; r < rows; r++) {
    const e = r % n;
    const diff = (full.scores[e] - scores[r]) / samples;
    for (const j of groups[groupOf(r)]) values[e * mask.size + j] += diff;
  }
  return makeAttribution('feature-permutation', tf.tensor(values, input.shape), ctx.target.classes, { modelCalls: calls + full.calls, features: mask.counts, samples });
}
