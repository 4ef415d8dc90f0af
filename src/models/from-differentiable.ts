import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import type { Model, OutputKind, RunOptions, RunResult } from '../core/model.js';
import { chooseOutputKind } from './output-kind.js';

/** What `fromDifferentiable` needs to know about a differentiable function. */
export interface FromDifferentiableOptions {
  /** Shape of one example, without the batch axis. */
  readonly inputShape: readonly number[];
  /** Shape of one example's output, without the batch axis. */
  readonly outputShape: readonly number[];
  readonly name?: string;
  /** What the function returns: 'logits' (default) or 'probabilities'. */
  readonly outputKind?: OutputKind;
  /** Called by the Model's `dispose()` (e.g. to free weights the function closes over). */
  readonly dispose?: () => void;
}

/**
 * Wraps any synchronous, differentiable tfjs function `(x [N, ...]) => outputs [N, ...]` (a network
 * built from weights in its own format, say) as a differentiable Model, so every gradient method
 * runs on it. It has no layers: capture and replacement (layer methods, CAMs) and gradient rules
 * (guided backprop, DeepLIFT, LRP) are refused with a LumenError.
 */
export function fromDifferentiable(fn: (x: tf.Tensor) => tf.Tensor, options: FromDifferentiableOptions): Model {
  const name = options.name ?? 'differentiable';
  const inputShape = [...options.inputShape];
  const outputShape = [...options.outputShape];
  check(inputShape.every((d) => Number.isInteger(d) && d > 0) && outputShape.every((d) => Number.isInteger(d) && d > 0), 'option', () =>
    `fromDifferentiable: inputShape and outputShape must be positive integers; found [${inputShape}] and [${outputShape}]`);
  const run = (x: tf.Tensor, runOptions: RunOptions = {}): RunResult => {
    const layered = [...(runOptions.capture ?? []), ...Object.keys(runOptions.replace ?? {})];
    if (layered.length) {
      throw new LumenError('layer', `fromDifferentiable: model '${name}' is a function without layers; cannot capture or replace '${layered[0]}' (layer methods and CAMs need a layers, graph or ONNX model)`);
    }
    if (runOptions.rules) {
      throw new LumenError('model', `fromDifferentiable: model '${name}' is a function without layer parts; gradient rules (guided backprop, deconvnet, DeepLIFT, LRP) need a layers or ONNX model`);
    }
    check(x.rank === inputShape.length + 1 && inputShape.every((d, i) => x.shape[i + 1] === d), 'shape', () =>
      `fromDifferentiable: model '${name}' expects input [N, ${inputShape.join(', ')}]; found [${x.shape.join(', ')}]`);
    const y = fn(x);
    check(y instanceof tf.Tensor && y.rank === outputShape.length + 1 && y.shape[0] === x.shape[0] && outputShape.every((d, i) => y.shape[i + 1] === d), 'model', () =>
      `fromDifferentiable: '${name}' must return a tensor [${x.shape[0]}, ${outputShape.join(', ')}] (one row per input row); found ${y instanceof tf.Tensor ? `shape [${y.shape}]` : typeof y}`);
    return { output: y, captured: {} };
  };
  return {
    name,
    inputShape,
    outputShape,
    outputKind: chooseOutputKind(options.outputKind, 'logits', 'fromDifferentiable'),
    differentiable: true,
    layers: [],
    run,
    predict: async (x) => tf.tidy(() => run(x).output),
    dispose: () => options.dispose?.(),
  };
}
