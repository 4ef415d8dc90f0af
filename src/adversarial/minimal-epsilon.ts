import type * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { checkAttackInteger, checkAttackPositive, type SignAttackOptions } from './attack-options.js';
import type { AttackResult } from './attack-result.js';
import { fgsm } from './fgsm.js';
import { pgd } from './pgd.js';

/** The ε-parameterised attack of the robustness functions and its settings. */
export interface EpsilonAttackOptions extends SignAttackOptions {
  /** `'fgsm'` (default; ε is the step) or `'pgd'` (ε is the radius). */
  readonly attack?: 'fgsm' | 'pgd';
  /** PGD's ball (default 'linf'). */
  readonly norm?: 'linf' | 'l2';
  /** PGD's steps (default 10). */
  readonly steps?: number;
  /** PGD's step as a share of ε (default 2.5 / steps, Madry et al.'s choice). */
  readonly relativeStepSize?: number;
}

/** Runs the chosen attack with one ε per example (the caller disposes the result). */
export async function attackAtEpsilon(model: Model, x: tf.Tensor, epsilons: readonly number[], options: EpsilonAttackOptions, fn: string): Promise<AttackResult> {
  const attack = options.attack ?? 'fgsm';
  check(attack === 'fgsm' || attack === 'pgd', 'option', () => `${fn}: attack must be 'fgsm' or 'pgd'; found ${String(attack)}`);
  if (attack === 'fgsm') return fgsm(model, x, { ...options, epsilon: epsilons });
  const steps = checkAttackInteger(options.steps ?? 10, 1, 'steps', fn);
  const relative = checkAttackPositive(options.relativeStepSize ?? 2.5 / steps, 'relativeStepSize', fn);
  return pgd(model, x, { ...options, steps, radius: epsilons, stepSize: epsilons.map((e) => e * relative), randomStart: false });
}

/** Options of `minimalEpsilon`. */
export interface MinimalEpsilonOptions extends EpsilonAttackOptions {
  /** The largest ε searched (required). */
  readonly maxEpsilon: number;
  /** Bisection steps (default 20: the bracket shrinks to maxEpsilon / 2²⁰). */
  readonly iterations?: number;
}

/**
 * The smallest ε at which the attack succeeds, per example, by bisection over [0, maxEpsilon]
 * (null where it fails even at maxEpsilon). Every bisection step attacks the whole batch at once,
 * each example at its own ε. Assumes success is monotone in ε (true for FGSM on a linear model,
 * where the answer is margin / ‖w_t − w_o‖₁ for L∞; in general a bracket, not a certificate).
 */
export async function minimalEpsilon(model: Model, x: tf.Tensor, options: MinimalEpsilonOptions): Promise<(number | null)[]> {
  const fn = 'minimalEpsilon';
  const maxEpsilon = checkAttackPositive(options.maxEpsilon, 'maxEpsilon', fn);
  const iterations = checkAttackInteger(options.iterations ?? 20, 0, 'iterations', fn);
  const n = x.shape[0];
  const succeeds = async (eps: readonly number[]): Promise<readonly boolean[]> => {
    const r = await attackAtEpsilon(model, x, eps, options, fn);
    r.dispose();
    return r.success;
  };
  const atMax = await succeeds(new Array<number>(n).fill(maxEpsilon));
  const lo = new Array<number>(n).fill(0);
  const hi = new Array<number>(n).fill(maxEpsilon);
  for (let i = 0; i < iterations; i++) {
    const mid = lo.map((l, e) => (l + hi[e]) / 2);
    const ok = await succeeds(mid);
    for (let e = 0; e < n; e++) {
      if (ok[e]) hi[e] = mid[e];
      else lo[e] = mid[e];
    }
  }
  return hi.map((h, e) => (atMax[e] ? h : null));
}
