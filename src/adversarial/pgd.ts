import * as tf from '@tensorflow/tfjs';
import { checkAborted } from '../core/batching.js';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { checkAttackInteger, perExampleTensor, perExampleValues, resolveAttack, type SignAttackOptions } from './attack-options.js';
import { makeAttackResult, type AttackResult } from './attack-result.js';
import { DEFAULT_EPSILON, fgsmStep } from './fgsm.js';
import { lossGradient } from './loss-gradient.js';
import { projectPerturbation } from './project-perturbation.js';
import { randomStart } from './random-start.js';

/** Options of `pgd`. */
export interface PgdOptions extends SignAttackOptions {
  /** The ball the perturbation stays in: `'linf'` (default) or `'l2'`. */
  readonly norm?: 'linf' | 'l2';
  /** The ball's radius (one value, or one per example; default `DEFAULT_EPSILON`, 1/32). */
  readonly radius?: number | readonly number[];
  /** Every step moves each element by this (a sign step, in both norms; one value, or one per example; default radius / 4). */
  readonly stepSize?: number | readonly number[];
  /** Number of steps (default 10). */
  readonly steps?: number;
  /** Start from a seeded random point of the ball instead of x (default false). */
  readonly randomStart?: boolean;
  /** Seed of the random start (default 0). */
  readonly seed?: number;
}

/**
 * Projected gradient descent (Madry et al., Towards Deep Learning Models Resistant to Adversarial
 * Attacks, 2018), as `captum.robust.PGD`: each step is an unclamped FGSM step of `stepSize` (a
 * SIGN step for L2 too), projected onto the ball around x (`projectPerturbation`), then clamped to
 * `bounds` — clamping last, so an input outside the bounds can end beyond the radius. One gradient
 * call per step for the whole batch.
 */
export async function pgd(model: Model, x: tf.Tensor, options: PgdOptions): Promise<AttackResult> {
  const fn = 'pgd';
  const setup = await resolveAttack(model, x, options, fn);
  const norm = options.norm ?? 'linf';
  check(norm === 'linf' || norm === 'l2', 'option', () => `${fn}: norm must be 'linf' or 'l2'; found ${String(norm)}`);
  const steps = checkAttackInteger(options.steps ?? 10, 0, 'steps', fn);
  const n = x.shape[0];
  const radii = perExampleValues(options.radius ?? DEFAULT_EPSILON, n, 'radius', fn);
  const stepSizes = options.stepSize === undefined ? radii.map((r) => r / 4) : perExampleValues(options.stepSize, n, 'stepSize', fn);
  const radius = perExampleTensor(radii, x.rank);
  const zeroThresh = options.zeroThresh ?? 1e-6;
  const loss = options.loss ?? 'cross-entropy';
  const classes = tf.tensor1d([...setup.classes], 'int32');
  const size = perExampleTensor(stepSizes, x.rank);
  let current = options.randomStart
    ? tf.tidy(() => randomStart(x, norm, radii, options.seed ?? 0).clipByValue(setup.lo, setup.hi))
    : x.clone();
  try {
    for (let s = 0; s < steps; s++) {
      checkAborted(options, fn, `at step ${s}`);
      const from = current;
      current = tf.tidy(() => {
        const stepped = fgsmStep(from, lossGradient(model, from, classes, loss), size, setup.targeted, zeroThresh);
        return projectPerturbation(x, stepped, norm, radius).clipByValue(setup.lo, setup.hi);
      });
      from.dispose();
    }
  } catch (e) {
    current.dispose();
    throw e;
  } finally {
    tf.dispose([radius, classes, size]);
  }
  return makeAttackResult(model, fn, x, current, { ...setup, norm }, {
    radius: radii, stepSize: options.stepSize === undefined ? stepSizes : options.stepSize as number | number[], steps, randomStart: options.randomStart ?? false, ...(options.randomStart ? { seed: options.seed ?? 0 } : {}),
  });
}
