import type * as tf from '@tensorflow/tfjs';

/** Facts a method reports beside its values, e.g. integrated gradients' convergence delta. */
export interface AttributionMeta {
  /** Completeness gap per example: Σ attribution − (f(x) − f(baseline)). */
  readonly delta?: readonly number[];
  /** The layer the values live on, for layer attributions. */
  readonly layer?: string;
  /** Non-fatal issues worth a user's attention. */
  readonly warnings?: readonly string[];
  /** Model calls (forward or gradient batches) the method made. */
  readonly modelCalls?: number;
  readonly [key: string]: unknown;
}

/**
 * The result of a local method: `values` has the input's shape `[N, ...]` (a layer's shape for
 * layer methods); the caller owns it and releases it with `dispose()`.
 */
export interface Attribution {
  readonly method: string;
  readonly values: tf.Tensor;
  /** The class explained for each example, or null for a function target. */
  readonly target: readonly number[] | null;
  readonly meta: AttributionMeta;
  dispose(): void;
}

/** Builds an Attribution around `values`. */
export function makeAttribution(method: string, values: tf.Tensor, target: readonly number[] | null, meta: AttributionMeta = {}): Attribution {
  return {
    method,
    values,
    target,
    meta,
    dispose() {
      values.dispose();
    },
  };
}
