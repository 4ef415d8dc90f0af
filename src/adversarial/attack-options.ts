import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import { outputKindOf, type Model } from '../core/model.js';
import { resolveTarget } from '../core/target.js';
import { checkDifferentiable, checkInput } from '../core/validate.js';
import type { AttackLoss } from './loss-gradient.js';

/** What every gradient attack takes (FGSM, PGD, Carlini–Wagner). */
export interface AttackOptions {
  /**
   * Untargeted: the true class of each example, whose loss is increased (default `'predicted'`,
   * the model's own prediction). Targeted: the class each example is pushed towards.
   */
  readonly target?: 'predicted' | number | readonly number[];
  /** Push towards `target` instead of away from it (default false). */
  readonly targeted?: boolean;
  /** The data range `[lo, hi]`: every perturbed input is clamped into it (required). */
  readonly bounds?: readonly [number, number];
  /** Aborts between steps. */
  readonly signal?: AbortSignal;
}

/** Options of the sign-gradient attacks (FGSM, PGD). */
export interface SignAttackOptions extends AttackOptions {
  /** The loss climbed or descended (default `'cross-entropy'`). */
  readonly loss?: AttackLoss;
  /** Elements whose |gradient| is at most this are not moved (Captum's `zero_thresh`, default 1e-6). */
  readonly zeroThresh?: number;
}

/** An attack's checked set-up: the class of every example and the data range. */
export interface ResolvedAttack {
  readonly classes: readonly number[];
  readonly targeted: boolean;
  readonly lo: number;
  readonly hi: number;
}

/** Checks the input, the model and the shared options of an attack before any tensor work. */
export async function resolveAttack(model: Model, x: unknown, options: AttackOptions & { readonly loss?: AttackLoss }, fn: string): Promise<ResolvedAttack> {
  checkInput(model, x, fn);
  checkDifferentiable(model, fn);
  const b = options.bounds;
  check(Array.isArray(b) && b.length === 2 && typeof b[0] === 'number' && typeof b[1] === 'number' && !Number.isNaN(b[0]) && !Number.isNaN(b[1]) && b[0] < b[1], 'option', () =>
    `${fn}: bounds must be the data range [lo, hi] with lo < hi; found ${JSON.stringify(b)}`);
  if (options.loss === 'log-probability') {
    check(outputKindOf(model) === 'probabilities', 'option', () =>
      `${fn}: loss 'log-probability' (−log output[t]) needs a model whose outputs are probabilities; model '${model.name}' outputs logits (use 'cross-entropy')`);
  } else if (options.loss !== undefined && options.loss !== 'cross-entropy' && typeof options.loss !== 'function') {
    throw new LumenError('option', `${fn}: loss must be 'cross-entropy', 'log-probability' or a function; found ${String(options.loss)}`);
  }
  check(options.targeted === undefined || typeof options.targeted === 'boolean', 'option', () => `${fn}: targeted must be true or false; found ${String(options.targeted)}`);
  if (options.targeted) check(options.target !== undefined && options.target !== 'predicted', 'option', () => `${fn}: a targeted attack needs a target class (a number or one per example); found ${String(options.target)}`);
  const target = await resolveTarget(model, x, options.target, fn);
  return { classes: target.classes ?? [], targeted: options.targeted ?? false, lo: b[0], hi: b[1] };
}

/** A size given once or for every example (ε, a radius, a step), checked finite and ≥ 0: one value per example. */
export function perExampleValues(value: number | readonly number[] | undefined, n: number, name: string, fn: string): number[] {
  const values = typeof value === 'number' ? new Array<number>(n).fill(value) : value;
  check(Array.isArray(values) && values.length === n, 'option', () =>
    `${fn}: ${name} must be a number or one number per example (${n}); found ${JSON.stringify(value)}`);
  check(values.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0), 'option', () =>
    `${fn}: ${name} must be finite and ≥ 0; found ${JSON.stringify(value)}`);
  return [...values];
}

/** One value per example as a tensor `[N, 1, …]` that broadcasts over examples of rank `rank`. */
export function perExampleTensor(values: readonly number[], rank: number): tf.Tensor {
  return tf.tensor([...values], [values.length, ...new Array<number>(rank - 1).fill(1)]);
}

/** Checks an integer count option (steps, binary search steps). */
export function checkAttackInteger(value: unknown, min: number, name: string, fn: string): number {
  check(typeof value === 'number' && Number.isInteger(value) && value >= min, 'option', () => `${fn}: ${name} must be an integer ≥ ${min}; found ${String(value)}`);
  return value;
}

/** Checks a positive finite number option. */
export function checkAttackPositive(value: unknown, name: string, fn: string): number {
  check(typeof value === 'number' && Number.isFinite(value) && value > 0, 'option', () => `${fn}: ${name} must be a finite number > 0; found ${String(value)}`);
  return value;
}
