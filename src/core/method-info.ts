import type * as tf from '@tensorflow/tfjs';
import type { Attribution } from './attribution.js';
import type { Model } from './model.js';
import type { LayerOption, LocalOptions } from './options.js';

/** Options as the registry passes them: the shared base plus each method's own, by name. */
export type MethodOptions = LocalOptions & LayerOption & { readonly [key: string]: unknown };

/** One option a method takes, as the CLI and the reports show it. */
export interface OptionSpec {
  readonly name: string;
  readonly type: 'number' | 'integer' | 'string' | 'boolean' | 'enum' | 'baseline';
  readonly values?: readonly string[];
  readonly default?: string | number | boolean;
  readonly doc: string;
  /** Old names still accepted for one release (the method warns once and reads them as `name`). */
  readonly deprecatedNames?: readonly string[];
}

/** A method's metadata and its entry point: the one list the CLI, README and reports read. */
export interface MethodInfo {
  readonly id: string;
  readonly title: string;
  readonly family: 'gradient' | 'propagation' | 'cam' | 'perturbation' | 'surrogate' | 'layer';
  readonly scope: 'local' | 'global';
  readonly needsGradients: boolean;
  /** Whether the method can, must or cannot take a `layer` option. */
  readonly layer: 'optional' | 'required' | 'none';
  /** Whether `meta.delta` reports a completeness gap. */
  readonly completeness: boolean;
  /** What inputs the method is made for ('text': token sequences [N, T] or embeddings [N, T, E]). */
  readonly inputKinds: readonly ('image' | 'tabular' | 'text' | 'any')[];
  readonly paper: string;
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  run(model: Model, input: tf.Tensor, options?: MethodOptions): Promise<Attribution>;
}

