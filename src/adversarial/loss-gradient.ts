import * as tf from '@tensorflow/tfjs';
import { withInputGradientsOnly } from '../engine/input-gradients-only.js';
import { releaseTapeOnThrow } from '../engine/release-tape.js';
import { outputKindOf, type Model } from '../core/model.js';

/**
 * The loss an attack climbs (untargeted) or descends (targeted), one value per example:
 * - `'cross-entropy'`: −log softmax(z)[t] on logits, −log p[t] on a model whose outputs are
 *   probabilities (never a softmax of probabilities) — `nn.CrossEntropyLoss(reduction='none')` on logits;
 * - `'log-probability'`: −log output[t], Captum's default (`loss_func=None`), for probability outputs only;
 * - a function `(outputs [N, C], classes [N] int32) => loss [N]`.
 */
export type AttackLoss = 'cross-entropy' | 'log-probability' | ((outputs: tf.Tensor, classes: tf.Tensor1D) => tf.Tensor);

/** The attack loss of every example of `outputs` `[N, C]` for classes `[N]` (see AttackLoss). */
export function attackLossValues(outputs: tf.Tensor, classes: tf.Tensor1D, loss: AttackLoss, probabilities: boolean): tf.Tensor1D {
  return tf.tidy(() => {
    const n = outputs.shape[0];
    if (typeof loss === 'function') return loss(outputs, classes).reshape([n]) as tf.Tensor1D;
    const flat = outputs.reshape([n, -1]);
    const oneHot = tf.oneHot(classes, flat.shape[1] as number).toFloat();
    const logP = loss === 'cross-entropy' && !probabilities ? tf.logSoftmax(flat) : flat.log();
    return logP.mul(oneHot).sum(1).neg() as tf.Tensor1D;
  });
}

/**
 * ∂(Σ_examples loss)/∂x for the whole batch in one taped pass: each example's gradient of its own
 * loss (examples do not interact). Only input gradients are computed (no weight gradients).
 */
export function lossGradient(model: Model, x: tf.Tensor, classes: tf.Tensor1D, loss: AttackLoss): tf.Tensor {
  const probabilities = outputKindOf(model) === 'probabilities';
  return withInputGradientsOnly(() => releaseTapeOnThrow(() =>
    tf.grad((p: tf.Tensor) => attackLossValues(model.run(p).output, classes, loss, probabilities).sum())(x)));
}
