import type * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../core/attribution.js';
import type { LocalMethodInfo, MethodOptions } from '../core/method-info.js';
import type { OutputKind } from '../core/model.js';
import type { OutputKindOption } from '../core/perturbation/class-probability.js';
import type { LocalMethod, LocalOptions } from '../core/options.js';

/** Whether a larger score means a better explanation. */
export type MetricDirection = 'higher' | 'lower';

/** What every metric returns: one score per example and their aggregate. */
export interface MetricResult {
  /** The metric's registry id (e.g. 'pixel-flipping'). */
  readonly metric: string;
  /** One score per example (NaN where the metric is undefined for that example). */
  readonly scores: readonly number[];
  /** The mean of the finite per-example scores (NaN when there is none). */
  readonly aggregate: number;
  readonly direction: MetricDirection;
  /** Per-example curves, for curve metrics (pixel flipping, region perturbation, ROAD …). */
  readonly curves?: readonly (readonly number[])[];
  /** Metric-specific intermediate values (sums, orders, per-layer similarities …). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Model calls (forward batches, explanation calls) the metric made. */
  readonly modelCalls: number;
}

/** A method the metric can (re-)run: a local method, a registry entry, or a registry id. */
export type Explainer = LocalMethod<MethodOptions> | LocalMethodInfo | string;

/** The attributions a metric scores: values `[N, ...inputShape]`, an Attribution, or a method to run. */
export type AttributionSource = tf.Tensor | Attribution | Explainer;

/**
 * The value that replaces removed features: a constant, or a statistic of each example (its min
 * `'black'`, max `'white'`, or the mean of all its scalars `'example-mean'`). Unlike a `Baseline`
 * (src/core/baseline.ts), one number per example. `'mean'`: deprecated old name of `'example-mean'`.
 */
export type PerturbBaseline = number | 'black' | 'white' | 'example-mean' | 'zeros' | 'mean';

/**
 * Which score a perturbation metric watches, on the scale of an `OutputKind`: `'probabilities'` (the
 * target's probability: a softmax of logits, the outputs themselves when the model returns
 * probabilities, see `outputKindOf`) or `'logits'` (the raw outputs). `'probability'` and
 * `'logit'` are the old spellings, accepted with a deprecation warning for one release.
 */
export type MetricOutput = OutputKind | 'probability' | 'logit';

/** Options shared by every metric: the local-method options plus how to run a given method. */
export interface MetricOptions extends LocalOptions {
  /**
   * What the model returns (the methods' and adapters' `outputKind`): default the model's own
   * (`outputKindOf(model)`); `'auto'` detects it from the outputs on the input (one model call).
   */
  readonly outputKind?: OutputKindOption;
  /** Options passed to the method when attributions are computed (or re-computed) by the metric. */
  readonly explainOptions?: MethodOptions;
}

/**
 * How attributions are pre-processed before scoring. `normalise: 'example'` divides each example by
 * its max |a| (the papers' convention); `'batch'` divides by the max over the whole batch (Quantus'
 * `normalise_by_max`); `abs` takes |a| after normalising.
 */
export interface AttributionPreprocessing {
  readonly normalise?: 'none' | 'example' | 'batch';
  readonly abs?: boolean;
}
