import type * as tf from '@tensorflow/tfjs';
import type { Attribution } from './attribution.js';
import type { Dataset } from './dataset.js';
import type { Explanation } from './explanation.js';
import type { Model } from './model.js';
import type { LayerOption, LocalOptions } from './options.js';

/** Options as the registry passes them: the shared base plus each method's own, by name. */
export type MethodOptions = LocalOptions & LayerOption & { readonly [key: string]: unknown };

/** One option a method takes, as the CLI and the reports show it. */
export interface OptionSpec {
  readonly name: string;
  /** 'sizes': positive integers such as a window, given as `4x4` on the command line. */
  readonly type: 'number' | 'integer' | 'string' | 'boolean' | 'enum' | 'baseline' | 'sizes';
  readonly values?: readonly string[];
  readonly default?: string | number | boolean;
  readonly doc: string;
  /** Old names still accepted for one release (the method warns once and reads them as `name`). */
  readonly deprecatedNames?: readonly string[];
}

/** The families of methods, by the folder of src/ they live in. */
export type MethodFamily =
  | 'gradient'
  | 'propagation'
  | 'cam'
  | 'perturbation'
  | 'surrogate'
  | 'layer'
  | 'attention'
  | 'global'
  | 'rules'
  | 'concepts'
  | 'featureviz'
  | 'examples'
  | 'adversarial'
  | 'fairness';

/** What local and global entries share: metadata the CLI, README and reports show. */
interface MethodInfoBase {
  readonly id: string;
  readonly title: string;
  readonly family: MethodFamily;
  readonly needsGradients: boolean;
  /** Whether the method can, must or cannot take a `layer` option. */
  readonly layer: 'optional' | 'required' | 'none';
  /** Whether `meta.delta` reports a completeness gap (false for global methods). */
  readonly completeness: boolean;
  /** What inputs the method is made for ('text': token sequences [N, T] or embeddings [N, T, E]). */
  readonly inputKinds: readonly ('image' | 'tabular' | 'text' | 'any')[];
  readonly paper: string;
  readonly summary: string;
  readonly options: readonly OptionSpec[];
}

/** A local method's entry: explains each example of an input batch. */
export interface LocalMethodInfo extends MethodInfoBase {
  readonly scope: 'local';
  run(model: Model, input: tf.Tensor, options?: MethodOptions): Promise<Attribution>;
}

/** A global method's entry: explains a model over a dataset (rules, concepts, examples …). */
export interface GlobalMethodInfo extends MethodInfoBase {
  readonly scope: 'global';
  /** Global methods report no per-example completeness gap. */
  readonly completeness: false;
  run(model: Model, data: Dataset, options?: MethodOptions): Promise<Explanation>;
}

/** A method's metadata and its entry point: the one list the CLI, README and reports read. */
export type MethodInfo = LocalMethodInfo | GlobalMethodInfo;

/** Looks a method up by id (the registry's `methodById`, passed to entries that run other methods). */
export type MethodLookup = (id: string) => MethodInfo;
