import * as tf from '@tensorflow/tfjs';
import { check } from './errors.js';
import type { Model } from './model.js';

/**
 * Checks a method's input at entry: a float tensor `[N, ...model.inputShape]` with N ≥ 1 and no
 * NaN or infinity. Throws a LumenError naming the function, what was expected and what was found.
 */
export function checkInput(model: Model, x: unknown, fn: string): asserts x is tf.Tensor {
  check(x instanceof tf.Tensor, 'input', () => `${fn}: input must be a tf.Tensor [N, ${model.inputShape}]; found ${describe(x)}`);
  const expected = [model.inputShape.length + 1];
  check(x.rank === expected[0] && model.inputShape.every((d, i) => d <= 0 || d === x.shape[i + 1]), 'shape', () =>
    `${fn}: input shape must be [N, ${model.inputShape.join(', ')}]; found [${x.shape.join(', ')}]`);
  check(x.shape[0] >= 1, 'shape', () => `${fn}: input has no examples (shape [${x.shape}])`);
  check(x.dtype === 'float32', 'input', () => `${fn}: input must be float32; found ${x.dtype}`);
  const bad = tf.tidy(() => tf.logicalNot(tf.isFinite(x)).any().dataSync()[0]);
  check(!bad, 'input', () => `${fn}: input contains NaN or infinite values`);
}

/** Checks that a model can give gradients before a gradient method starts. */
export function checkDifferentiable(model: Model, fn: string): void {
  check(model.differentiable, 'not-differentiable', () =>
    `${fn}: needs gradients, but model '${model.name}' is a black box (differentiable: false); use a perturbation method such as occlusion or KernelSHAP`);
}

/** Checks that `layer` names one of the model's layers. */
export function checkLayer(model: Model, layer: string, fn: string): void {
  check(model.layers.some((l) => l.name === layer), 'layer', () => {
    const names = model.layers.map((l) => l.name);
    return `${fn}: unknown layer '${layer}'; the model's layers are ${names.length ? names.join(', ') : '(none)'}`;
  });
}

/** The `layer` option of a method that needs one, checked to be given (and to name a layer). */
export function requireLayer(model: Model, layer: string | undefined, fn: string): string {
  check(layer !== undefined, 'option', () => `${fn}: the 'layer' option is required; the model's layers are ${model.layers.map((l) => l.name).join(', ')}`);
  checkLayer(model, layer, fn);
  return layer;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  return typeof x;
}
