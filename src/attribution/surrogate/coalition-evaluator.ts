import * as tf from '@tensorflow/tfjs';
import { resolveBaseline, type Baseline } from '../../core/baseline.js';
import { batchSizeOf } from '../../core/batching.js';
import { check, LumenError } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import { resolveTarget, type ResolvedTarget } from '../../core/target.js';
import { checkInput } from '../../core/validate.js';
import { maskedPlan } from '../perturbation/perturbation-batcher.js';
import { scoreRows } from './score-rows.js';

/**
 * Which input scalars move together as one player of a coalition game: an integer label map of one
 * example's shape (or of all examples, `[N, ...]`), whose channel axis may be 1 or left out for
 * images (`[H, W]`, `[H, W, 1]`: every channel of a pixel is one feature), or a function of the input
 * batch returning such a map (superpixels). Labels need not be contiguous; each distinct label of an
 * example is one feature, ordered by label value. Default: every scalar its own feature (Captum).
 */
export type CoalitionFeatureMask = tf.Tensor | ((x: tf.Tensor) => tf.Tensor);

/** Options every coalition method reads. */
export interface CoalitionOptions extends LocalOptions {
  /** The groups of input scalars that are players (see CoalitionFeatureMask). */
  readonly featureMask?: CoalitionFeatureMask;
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
  const mask = readMask(options.featureMask, input, fn);
  const scalars = one.reduce((a, b) => a * b, 1);
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
  const features = mask.labelsOf.map((l) => l.length);
  const stride = Math.max(...features);
  const maskSize = mask.shape.reduce((a, b) => a * b, 1);
  return {
    n,
    features,
    stride,
    target,
    batchSize,
    labels: mask.labelsOf,
    modelCalls: () => calls,
    async evaluate(examples, coalitions) {
      const rows = examples.length;
      check(typeof coalitions === 'function' || coalitions.length === rows * stride, 'shape', () =>
        `${fn}: ${(coalitions as Uint8Array).length} coalition entries for ${rows} rows of ${stride}`);
      const one = new Uint8Array(stride);
      // Row r keeps the present features of its coalition and takes the baseline elsewhere.
      const plan = maskedPlan(input, baseline, examples, mask.shape, (r, m) => {
        const ids = mask.ids[examples[r]];
        let z: Uint8Array = one;
        let base = 0;
        if (typeof coalitions === 'function') {
          one.fill(0);
          coalitions(r, one);
        } else {
          z = coalitions;
          base = r * stride;
        }
        for (let p = 0; p < ids.length; p++) m[p] = z[base + ids[p]];
      });
      const { scores, calls: made } = await scoreRows(model, target, examples, (from, to) => plan.build(from, to), batchSize, options, fn);
      calls += made;
      return scores;
    },
    spread(values) {
      const data = new Float32Array(n * maskSize);
      for (let e = 0; e < n; e++) {
        const ids = mask.ids[e];
        for (let p = 0; p < maskSize; p++) data[e * maskSize + p] = values[e][ids[p]];
      }
      return tf.tidy(() => tf.broadcastTo(tf.tensor(data, [n, ...mask.shape]), [n, ...one]));
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

interface ReadMask {
  /** Per-example mask shape (the input's, with the channel axis 1 when broadcast). */
  readonly shape: number[];
  /** Per example, the dense feature index (0…K−1) of each mask element. */
  readonly ids: Int32Array[];
  /** Per example, the original label of each dense feature index. */
  readonly labelsOf: number[][];
}

/** The feature mask checked against the input and relabelled 0…K−1 per example. */
function readMask(given: CoalitionFeatureMask | undefined, input: tf.Tensor, fn: string): ReadMask {
  const n = input.shape[0];
  const one = input.shape.slice(1);
  const size = one.reduce((a, b) => a * b, 1);
  if (given === undefined) {
    const ids = Int32Array.from({ length: size }, (_, p) => p);
    const labels = Array.from({ length: size }, (_, p) => p);
    return { shape: one, ids: Array.from({ length: n }, () => ids), labelsOf: Array.from({ length: n }, () => labels) };
  }
  let mask: tf.Tensor;
  if (typeof given === 'function') {
    mask = given(input);
    check(mask instanceof tf.Tensor, 'option', () => `${fn}: a featureMask function must return a tensor of labels; found ${typeof mask}`);
  } else if (given instanceof tf.Tensor) {
    mask = given;
  } else {
    throw new LumenError('option', `${fn}: featureMask must be a tensor of integer labels or a function returning one; found ${typeof given}`);
  }
  try {
    return relabel(mask, input, fn);
  } finally {
    if (mask !== given) mask.dispose();
  }
}

function relabel(mask: tf.Tensor, input: tf.Tensor, fn: string): ReadMask {
  const n = input.shape[0];
  const one = input.shape.slice(1);
  let shape = mask.shape.slice();
  let perExample = false;
  const fits = (s: readonly number[]): number[] | null => {
    if (s.length === one.length && s.every((d, i) => d === one[i] || (i === one.length - 1 && d === 1 && one.length >= 3))) return [...s];
    if (one.length >= 3 && s.length === one.length - 1 && s.every((d, i) => d === one[i])) return [...s, 1];
    return null;
  };
  let per = fits(shape);
  if (!per && shape[0] === n) {
    per = fits(shape.slice(1));
    perExample = per !== null;
  }
  check(per !== null, 'shape', () =>
    `${fn}: featureMask shape [${mask.shape}] must be one example's shape [${one}] or the batch's [${input.shape}]` +
    (one.length >= 3 ? ` (the channel axis may be 1 or left out)` : ''));
  shape = per;
  const data = mask.dataSync();
  const size = shape.reduce((a, b) => a * b, 1);
  const ids: Int32Array[] = [];
  const labelsOf: number[][] = [];
  for (let e = 0; e < n; e++) {
    if (!perExample && e > 0) {
      ids.push(ids[0]);
      labelsOf.push(labelsOf[0]);
      continue;
    }
    const slice = data.subarray(perExample ? e * size : 0, (perExample ? e * size : 0) + size);
    const distinct = new Set<number>();
    for (const v of slice) {
      check(Number.isInteger(v) && v >= 0, 'option', () => `${fn}: featureMask labels must be non-negative integers; found ${v}`);
      distinct.add(v);
    }
    const labels = [...distinct].sort((a, b) => a - b);
    const index = new Map(labels.map((l, k) => [l, k]));
    ids.push(Int32Array.from(slice, (v) => index.get(v) as number));
    labelsOf.push(labels);
  }
  return { shape, ids, labelsOf };
}
