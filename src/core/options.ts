import type * as tf from '@tensorflow/tfjs';
import type { Attribution } from './attribution.js';
import type { Model } from './model.js';
import type { Target } from './target.js';

/** Progress of a long computation: `done` of `total` units (rows, samples, perturbations). */
export interface Progress {
  readonly done: number;
  readonly total: number;
}

/** The options every local method takes; each method's options extend these. */
export interface LocalOptions {
  /** Which scalar to explain; defaults to `'predicted'`. */
  readonly target?: Target;
  /** Rows (steps, samples, perturbations) per model call; defaults to a memory budget. */
  readonly batchSize?: number;
  /** Seed of every random draw; the same seed gives the same result. */
  readonly seed?: number;
  /** Aborts the computation between batches. */
  readonly signal?: AbortSignal;
  /** Called after every batch. */
  readonly onProgress?: (progress: Progress) => void;
}

/** Options of methods that can attribute to an internal layer instead of the input. */
export interface LayerOption {
  /** Attribute to this layer's output instead of the input. */
  readonly layer?: string;
}

/** A local method: `(model, input, options) => Promise<Attribution>`. */
export type LocalMethod<O extends LocalOptions = LocalOptions> = (model: Model, input: tf.Tensor, options?: O) => Promise<Attribution>;
