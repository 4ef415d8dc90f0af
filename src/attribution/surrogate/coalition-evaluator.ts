import * as tf from '@tensorflow/tfjs';
import { resolveBaseline, type Baseline } from '../../core/baseline.js';
import { batchSizeOf } from '../../core/batching.js';
import { check } from '../../core/errors.js';
import { featureOf, resolveFeatureMask, type FeatureMask } from '../../core/perturbation/feature-mask.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import { resolveTarget, type ResolvedTarget } from '../../core/target.js';
import { checkInput } from '../../core/validate.js';
import { maskedPlan } from '../../core/perturbation/perturbation-batcher.js';
import { scoreRows } from './score-rows.js';

/**
 * The players of a coalition game: the one FeatureMask of src/core/perturbation/feature-mask.ts
 * (a label map of one example's shape or of the batch's, channels broadcast or left out, a
 * function of the input such as superpixels, patches, tokens). Each distinct label of an example
 * is one feature, ordered by label value.
 * @deprecated Use `FeatureMask`; this alias goes in the next release.
 */
export type CoalitionFeatureMask = FeatureMask;

/** Options every coalition method reads. */
export interface CoalitionOptions extends LocalOptions {
  /** The groups of input scalars that are players (see FeatureMask; default every scalar its own). */
  readonly featureMask?: FeatureMask;
  /** What an absent feature is replaced by (src/core/baseline.ts); default `'zeros'`. */
  readonly baseline?: Baseline;
  /** σ in pixels of the `'blur'` baseline. */
  readonly blurSigma?: number;
  /** Names of the input's features (tabular columns), copied into `meta.featureNames`. */
  readonly featureNames?: readonly string[];
}

/** Writes row r's coalition (0/1 per feature) into `out`, which arrives zeroed. */
export type CoalitionRows = (row: number, out: Uint8Array) => void;

/** The checked game of every example: its features and a way to score coalitions of them. */
export interface CoalitionEvaluator {
  /** Number of examples. */
  readonly n: number;
  /** Number of features (players) of each example. */
  readonly features: readonly number[];
  /** The largest feature count: the stride of coalition rows. */
  readonly stride: number;
  readonly target: ResolvedTarget;
  readonly batchSize: number;
  /**
   * The target score of each row: row r is example `examples[r]` with feature k present where
   * `coalitions[r·stride + k]` is 1 (the input's value) and absent where it is 0 (the baseline's).
   * Rows go through the model `batchSize` at a time, across examples. `coalitions` may instead be
   * a function writing row r's coalition into `out` (length `stride`, zeroed), so that only one
   * batch of coalitions exists at a time.
   */
  evaluate(examples: Int32Array, coalitions: Uint8Array | CoalitionRows): Promise<Float64Array>;
  /** Model calls made so far (the target's `'predicted'` pass included). */
  modelCalls(): number;
  /** Per-feature values of each example spread over the input's shape `[N, ...]` (the caller owns it). */
  spread(values: readonly Float64Array[]): tf.Tensor;
  /** The original label of each feature of each example. */
  readonly labels: readonly (readonly number[])[];
  dispose(): void;
}

/**
 * Checks a coalition method's arguments and builds its game: the feature mask (relabelled per
 * example), the baseline tensor, the target and the batch size. Each coalition is the input with
 * absent features replaced by the baseline (the perturbation batcher's `maskedPlan`), scored by the
 * target. Used by Shapley values, KernelSHAP and LIME (src/attribution/surrogate/).
 */
export async function coalitionEvaluator(model: Model, input: tf.Tensor, options: CoalitionOptions, fn: string): Promise<CoalitionEvaluator> {
  checkInput(model, input, fn);
  const batchSize = batchSizeOf(model, options, fn);
  const n = input.shape[0];
  const one = input.shape.slice(1);
  const mask = resolveFeatureMask(options.featureMask, one, n, fn, input);
  const scalars = mask.size;
  check(options.featureNames === undefined || options.featureNames.length === scalars, 'option', () =>
    `${fn}: featureNames has ${options.featureNames?.length} names; expected one per input scalar (${scalars})`);
  const baseline = resolveBaseline(options.baseline, input, fn, { seed: options.seed, blurSigma: options.blurSigma });
  let calls = 0;
  let target: ResolvedTarget;
  try {
    target = await resolveTarget(countingCalls(model, () => calls++), input, options.target, fn);
  } catch (e) {
    baseline.dispose();
    throw e;
  }
  const features = mask.counts;
  const stride = Math.max(...features);
  return {
    n,
    features,
    stride,
    target,
    batchSize,
    labels: mask.labels,
    modelCalls: () => calls,
    async evaluate(examples, coalitions) {
      const rows = examples.length;
      check(typeof coalitions === 'function' || coalitions.length === rows * stride, 'shape', () =>
        `${fn}: ${(coalitions as Uint8Array).length} coalition entries for ${rows} rows of ${stride}`);
      const row = new Uint8Array(stride);
      // Row r keeps the present features of its coalition and takes the baseline elsewhere.
      const plan = maskedPlan(input, baseline, examples, one, (r, m) => {
        const off = mask.shared ? 0 : examples[r] * scalars;
        let z: Uint8Array = row;
        let base = 0;
        if (typeof coalitions === 'function') {
          row.fill(0);
          coalitions(r, row);
        } else {
          z = coalitions;
          base = r * stride;
        }
        for (let p = 0; p < scalars; p++) m[p] = z[base + mask.ids[off + p]];
      });
      const { scores, calls: made } = await scoreRows(model, target, examples, (from, to) => plan.build(from, to), batchSize, options, fn);
      calls += made;
      return scores;
    },
    spread(values) {
      const data = new Float32Array(n * scalars);
      for (let e = 0; e < n; e++) for (let p = 0; p < scalars; p++) data[e * scalars + p] = values[e][featureOf(mask, e, p)];
      return tf.tensor(data, [n, ...one]);
    },
    dispose() {
      baseline.dispose();
    },
  };
}

/** A view of `model` that calls `tick` before every forward pass. */
export function countingCalls(model: Model, tick: () => void): Model {
  return {
    ...model,
    predict: (x) => {
      tick();
      return model.predict(x);
    },
  };
}
