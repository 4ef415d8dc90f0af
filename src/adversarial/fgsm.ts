import * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { perExampleTensor, perExampleValues, resolveAttack, type SignAttackOptions } from './attack-options.js';
import { makeAttackResult, type AttackResult } from './attack-result.js';
import { lossGradient } from './loss-gradient.js';

/** FGSM's default ε and PGD's default radius: 1/32 of a [0, 1] data range (≈ the common 8/255). */
export const DEFAULT_EPSILON = 1 / 32;

/** Options of `fgsm`. */
export interface FgsmOptions extends SignAttackOptions {
  /** The step: every element moves by ε (one value, or one per example; default `DEFAULT_EPSILON`, 1/32). */
  readonly epsilon?: number | readonly number[];
}

/**
 * One signed-gradient step, Captum's `FGSM._perturb`: x ± size·sign(g) where |g| > zeroThresh
 * (+ untargeted, − targeted), x elsewhere. No clamping; the caller owns the result.
 */
export function fgsmStep(x: tf.Tensor, grad: tf.Tensor, size: tf.Tensor, targeted: boolean, zeroThresh: number): tf.Tensor {
  return tf.tidy(() => {
    const step = grad.sign().mul(size);
    return tf.where(grad.abs().greater(zeroThresh), targeted ? x.sub(step) : x.add(step), x);
  });
}

/**
 * Fast gradient sign method (Goodfellow et al., Explaining and Harnessing Adversarial Examples,
 * 2015), as `captum.robust.FGSM`: x' = clamp(x + ε·sign(∇ₓ loss), lo, hi) with elements of
 * |∇| ≤ zeroThresh left in place; targeted steps descend the target's loss. One gradient call.
 */
export async function fgsm(model: Model, x: tf.Tensor, options: FgsmOptions): Promise<AttackResult> {
  const fn = 'fgsm';
  const setup = await resolveAttack(model, x, options, fn);
  const epsilon = options.epsilon ?? DEFAULT_EPSILON;
  const eps = perExampleTensor(perExampleValues(epsilon, x.shape[0], 'epsilon', fn), x.rank);
  let perturbed: tf.Tensor;
  try {
    perturbed = tf.tidy(() => {
      const classes = tf.tensor1d([...setup.classes], 'int32');
      const grad = lossGradient(model, x, classes, options.loss ?? 'cross-entropy');
      return fgsmStep(x, grad, eps, setup.targeted, options.zeroThresh ?? 1e-6).clipByValue(setup.lo, setup.hi);
    });
  } finally {
    eps.dispose();
  }
  return makeAttackResult(model, fn, x, perturbed, { ...setup, norm: 'linf' }, { epsilon: epsilon as number | number[] });
}
