import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import type { Model, OutputKind } from '../core/model.js';
import { chooseOutputKind } from './output-kind.js';

/** What `fromFunction` needs to know about a black box. */
export interface FromFunctionOptions {
  /** Shape of one example, without the batch axis. */
  readonly inputShape: readonly number[];
  /** Shape of one example's output, without the batch axis. */
  readonly outputShape: readonly number[];
  readonly name?: string;
  /**
   * What the function returns: 'logits' or 'probabilities'. Left out, the kind is unknown
   * (`outputKind` absent): methods and metrics that need probabilities detect them from the outputs.
   */
  readonly outputKind?: OutputKind;
}

/**
 * Wraps any function `(x [N, ...]) => outputs [N, ...]` (sync or async) as a black-box Model for
 * model-agnostic (perturbation) methods. Gradient methods refuse it with a clear error (for a
 * differentiable tfjs function use `fromDifferentiable`). Its `dispose()` frees nothing.
 */
export function fromFunction(fn: (x: tf.Tensor) => tf.Tensor | Promise<tf.Tensor>, options: FromFunctionOptions): Model {
  const name = options.name ?? 'function';
  return {
    name,
    inputShape: [...options.inputShape],
    outputShape: [...options.outputShape],
    ...(options.outputKind === undefined ? {} : { outputKind: chooseOutputKind(options.outputKind, 'logits', 'fromFunction') }),
    differentiable: false,
    layers: [],
    async predict(x) {
      const y = await fn(x);
      check(y instanceof tf.Tensor && y.shape[0] === x.shape[0], 'model', () =>
        `fromFunction: '${name}' must return a tensor with one row per input row (${x.shape[0]}); found ${y instanceof tf.Tensor ? `shape [${y.shape}]` : typeof y}`);
      return y;
    },
    run() {
      throw new LumenError('not-differentiable', `run: model '${name}' is a black box (fromFunction); it has no gradients or layers (a differentiable tfjs function: fromDifferentiable)`);
    },
    dispose() {},
  };
}
