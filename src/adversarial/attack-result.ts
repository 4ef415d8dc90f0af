import * as tf from '@tensorflow/tfjs';
import type { AttackExplanation, JsonValue } from '../core/explanation.js';
import type { Model } from '../core/model.js';

/** What an attack returns: the perturbed inputs (the caller owns and disposes them) with predictions. */
export interface AttackResult {
  readonly method: string;
  /** The perturbed inputs, same shape as the input. */
  readonly perturbed: tf.Tensor;
  /** The class of every example the attack moved away from (untargeted) or towards (targeted). */
  readonly classes: readonly number[];
  readonly targeted: boolean;
  /** The model's arg-max class on the clean and on the perturbed inputs. */
  readonly originalPredictions: readonly number[];
  readonly predictions: readonly number[];
  /** Untargeted: the prediction is not the class; targeted: it is the class. */
  readonly success: readonly boolean[];
  /** The norm the attack bounds or minimises, and every example's perturbation size in L∞ and L2. */
  readonly norm: 'linf' | 'l2';
  readonly linf: readonly number[];
  readonly l2: readonly number[];
  readonly meta: { readonly [key: string]: JsonValue };
  dispose(): void;
}

async function argMaxRows(model: Model, x: tf.Tensor): Promise<number[]> {
  const out = await model.predict(x);
  const best = tf.tidy(() => out.reshape([x.shape[0], -1]).argMax(1));
  const classes = Array.from(await best.data());
  tf.dispose([out, best]);
  return classes;
}

/** Builds an AttackResult from clean inputs `x` and `perturbed` (taken over; `x` stays the caller's). */
export async function makeAttackResult(
  model: Model,
  method: string,
  x: tf.Tensor,
  perturbed: tf.Tensor,
  setup: { readonly classes: readonly number[]; readonly targeted: boolean; readonly norm: 'linf' | 'l2' },
  meta: { readonly [key: string]: JsonValue } = {},
  originalPredictions?: readonly number[],
): Promise<AttackResult> {
  const n = x.shape[0];
  const sizes = tf.tidy(() => {
    const d = perturbed.sub(x).reshape([n, -1]);
    return tf.stack([d.abs().max(1), d.square().sum(1).sqrt()]);
  });
  const s = await sizes.data();
  sizes.dispose();
  const original = originalPredictions ?? (await argMaxRows(model, x));
  const predictions = await argMaxRows(model, perturbed);
  const success = predictions.map((p, i) => (setup.targeted ? p === setup.classes[i] : p !== setup.classes[i]));
  return {
    method,
    perturbed,
    classes: setup.classes,
    targeted: setup.targeted,
    originalPredictions: original,
    predictions,
    success,
    norm: setup.norm,
    linf: Array.from(s.subarray(0, n)),
    l2: Array.from(s.subarray(n, 2 * n)),
    meta,
    dispose: () => perturbed.dispose(),
  };
}

/** An AttackResult as a JSON record of kind 'attack' (the result stays the caller's to dispose). */
export async function attackExplanation(result: AttackResult): Promise<AttackExplanation> {
  return {
    kind: 'attack',
    method: result.method,
    shape: result.perturbed.shape.slice(1),
    inputs: Array.from(await result.perturbed.data()),
    originalPredictions: result.originalPredictions,
    predictions: result.predictions,
    norms: result.norm === 'linf' ? result.linf : result.l2,
    meta: { ...result.meta, norm: result.norm, linf: result.linf, l2: result.l2, classes: result.classes, targeted: result.targeted, success: result.success },
  };
}
