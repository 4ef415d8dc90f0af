import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import { outputKindOf, type Model } from '../core/model.js';

/**
 * The per-example loss of example-based methods: 'cross-entropy' (softmax cross-entropy on logits,
 * or −log p on probabilities, by the model's `outputKind`; labels are class indices), 'mse' (mean
 * squared error over one example's outputs; labels have the output's shape), or a function from
 * outputs `[N, ...]` and labels to one loss per example `[N]`.
 */
export type ExampleLoss = 'cross-entropy' | 'mse' | ((output: tf.Tensor, labels: tf.Tensor) => tf.Tensor);

/** One loss per example `[N]` of a model's outputs against their labels (see ExampleLoss). */
export function perExampleLoss(model: Pick<Model, 'outputKind' | 'name'>, output: tf.Tensor, labels: tf.Tensor, loss: ExampleLoss = 'cross-entropy'): tf.Tensor1D {
  const n = output.shape[0];
  if (typeof loss === 'function') {
    const l = loss(output, labels);
    check(l instanceof tf.Tensor && l.rank === 1 && l.shape[0] === n, 'option', () =>
      `loss: a loss function must return one loss per example [${n}]; found ${l instanceof tf.Tensor ? `[${l.shape}]` : typeof l}`);
    return l as tf.Tensor1D;
  }
  if (loss === 'mse') {
    check(labels.size === output.size, 'shape', () => `loss 'mse': labels must have the outputs' shape [${output.shape}]; found [${labels.shape}]`);
    const d = tf.sub(output, tf.reshape(tf.cast(labels, 'float32'), output.shape));
    return tf.mean(tf.reshape(tf.square(d), [n, -1]), 1) as tf.Tensor1D;
  }
  check(loss === 'cross-entropy', 'option', () => `loss must be 'cross-entropy', 'mse' or a function; found '${String(loss)}'`);
  check(output.rank === 2, 'shape', () => `loss 'cross-entropy': outputs must be [N, classes]; found [${output.shape}]`);
  check(labels.rank === 1 && labels.shape[0] === n, 'shape', () => `loss 'cross-entropy': labels must be class indices [${n}]; found [${labels.shape}]`);
  const classes = output.shape[1] as number;
  const oneHot = tf.oneHot(tf.cast(labels, 'int32'), classes);
  const picked = tf.sum(tf.mul(output, oneHot), 1);
  // Both forms are twice differentiable (Hessian-vector products): no max or maximum, whose gradients use comparisons.
  if (outputKindOf(model) === 'probabilities') return tf.neg(tf.log(tf.add(picked, 1e-30))) as tf.Tensor1D;
  return tf.sub(tf.reshape(logSumExpRows(output), [n]), picked) as tf.Tensor1D;
}

/**
 * log Σ exp over each row `[N, 1]`, computed stably, with the gradient softmax(z) recomputed from
 * z in ops that have gradients themselves (tfjs' own logSumExp goes through max, whose
 * gradient has none), so second derivatives exist.
 */
const logSumExpRows = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
  const value = tf.logSumExp(z, 1, true);
  // Only the input is saved: the gradient recomputes softmax from it (a saved output is not on the tape).
  save([z]);
  return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.softmax(saved[0], 1)) };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (z: tf.Tensor) => tf.Tensor;

/** Checks that labels hold valid class indices for a cross-entropy loss (a LumenError otherwise). */
export function checkClassLabels(labels: ArrayLike<number>, classes: number, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    check(Number.isInteger(c) && c >= 0 && c < classes, 'target', () => `${what}: labels must be class indices 0…${classes - 1}; found ${c} at row ${i}`);
  }
}
