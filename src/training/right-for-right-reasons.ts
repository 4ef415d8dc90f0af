/**
 * "Right for the right reasons" (Ross, Hughes & Doshi-Velez, IJCAI 2017): an input-gradient
 * penalty that keeps a model's explanation off the input features an annotation marks as
 * irrelevant.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { TrainingPenalty } from './fit-classifier.js';
import { twiceDifferentiableLogSoftmax } from './twice-differentiable-log-softmax.js';

/** Options of `rightForRightReasons`. */
export interface RightForRightReasonsOptions {
  /**
   * The annotation matrix A of the paper, `[N, ...inputShape]` for the N training examples (rows as
   * `fitClassifier` indexes them): 1 where the model must not look, 0 elsewhere (any weights ≥ 0 work).
   */
  readonly annotations: tf.Tensor;
  /** λ₁, the weight of the penalty against the mean cross-entropy (default 10; the paper scales it so both terms are of the same order). */
  readonly lambda?: number;
}

/**
 * The penalty λ₁ · mean over the batch of Σ_d (A_nd · ∂/∂x_nd Σ_k log ŷ_nk)² (Ross et al. 2017,
 * eq. 1, with the cross-entropy averaged rather than summed over examples, so λ₁ is per example).
 * The input gradient of the summed log-probabilities is taken by double backprop; pass the result
 * as `fitClassifier(model, x, labels, {penalty})`. The caller owns `annotations`.
 *
 * @example
 * const penalty = rightForRightReasons({ annotations: shortcutMask, lambda: 10 });
 * await fitClassifier(model, x, labels, { epochs: 10, penalty });
 */
export function rightForRightReasons(options: RightForRightReasonsOptions): TrainingPenalty {
  const a = options.annotations;
  const lambda = options.lambda ?? 10;
  check(a instanceof tf.Tensor && a.rank >= 2, 'input', () => `rightForRightReasons: annotations must be a tensor [N, ...inputShape]; found ${a instanceof tf.Tensor ? `rank ${a.rank}` : typeof a}`);
  check(Number.isFinite(lambda) && lambda >= 0, 'option', () => `rightForRightReasons: lambda must be a number ≥ 0; found ${lambda}`);
  return ({ x, indices, forward }) => {
    check(a.shape.slice(1).join() === x.shape.slice(1).join(), 'shape', () =>
      `rightForRightReasons: annotations [${a.shape}] must match the inputs' shape [N, ${x.shape.slice(1)}]`);
    check(indices.every((i) => i < a.shape[0]), 'shape', () => `rightForRightReasons: annotations have ${a.shape[0]} rows; the training set has more`);
    const mask = tf.gather(a, tf.tensor1d(indices, 'int32'));
    const g = tf.grad((xx: tf.Tensor) => tf.sum(twiceDifferentiableLogSoftmax(forward(xx))))(x);
    return tf.mul(lambda / x.shape[0], tf.sum(tf.square(tf.mul(mask, g)))) as tf.Scalar;
  };
}
