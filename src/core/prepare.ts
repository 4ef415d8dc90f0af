import type * as tf from '@tensorflow/tfjs';
import { batchSizeOf, checkAborted } from './batching.js';
import { gradientSpace, type GradientSpace } from './gradients.js';
import type { Model } from './model.js';
import type { RuleSet } from './rules.js';
import type { LayerOption, LocalOptions } from './options.js';
import { resolveTarget, type ResolvedTarget } from './target.js';
import { checkDifferentiable, checkInput, checkLayer } from './validate.js';

/** What a gradient method knows once its arguments are checked and normalised. */
export interface GradientContext {
  /** Number of examples. */
  readonly n: number;
  readonly target: ResolvedTarget;
  readonly space: GradientSpace;
  readonly batchSize: number;
}

/**
 * The shared entry of every gradient method: checks the input, the model's differentiability and
 * the layer name, then resolves the target, the batch size and the gradient space (with gradient
 * `rules` for propagation methods) — before any tensor work, so a user mistake (or a signal
 * aborted before the call) is a LumenError from here.
 */
export async function prepareGradient(model: Model, input: tf.Tensor, options: LocalOptions & LayerOption, fn: string, rules?: RuleSet): Promise<GradientContext> {
  checkDifferentiable(model, fn);
  checkInput(model, input, fn);
  checkAborted(options, fn);
  if (options.layer !== undefined) checkLayer(model, options.layer, fn);
  const batchSize = batchSizeOf(model, options, fn);
  const target = await resolveTarget(model, input, options.target, fn);
  return { n: input.shape[0], target, space: gradientSpace(model, options.layer ?? null, rules), batchSize };
}
