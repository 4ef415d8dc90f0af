import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { CurveExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { resolveTarget } from '../core/target.js';
import { attackAtEpsilon, minimalEpsilon, type EpsilonAttackOptions } from './minimal-epsilon.js';

/** Options of `robustnessReport`. */
export interface RobustnessReportOptions extends EpsilonAttackOptions {
  /** The ε values of the curve (finite, ≥ 0; 0 gives clean accuracy). */
  readonly epsilons: readonly number[];
  /** Also bisect the minimal ε of every example up to this ε (default: the largest of `epsilons`; 0 skips it). */
  readonly maxEpsilon?: number;
  /** Bisection steps of the minimal ε (default 20). */
  readonly iterations?: number;
}

/**
 * Accuracy under attack by ε — the share of examples still classified as their label (`target`,
 * default the clean prediction) after the untargeted attack of size ε — as a curve, with every
 * example's minimal ε (`minimalEpsilon`, null where none up to maxEpsilon) in `meta.minimalEpsilon`.
 * All ε values of the curve are attacked in one batch (the input repeated once per ε).
 */
export async function robustnessReport(model: Model, x: tf.Tensor, options: RobustnessReportOptions): Promise<CurveExplanation> {
  const fn = 'robustnessReport';
  const eps = options.epsilons;
  check(Array.isArray(eps) && eps.length > 0 && eps.every((e) => typeof e === 'number' && Number.isFinite(e) && e >= 0), 'option', () =>
    `${fn}: epsilons must be a non-empty list of finite numbers ≥ 0; found ${JSON.stringify(eps)}`);
  check(!options.targeted, 'option', () => `${fn}: accuracy under attack needs an untargeted attack; found targeted: true`);
  const n = x.shape[0];
  const labels = (await resolveTarget(model, x, options.target, fn)).classes ?? [];
  const tiled = tf.tidy(() => tf.tile(x, [eps.length, ...x.shape.slice(1).map(() => 1)]));
  let predictions: readonly number[];
  try {
    const rows = eps.flatMap((e) => new Array<number>(n).fill(e));
    const r = await attackAtEpsilon(model, tiled, rows, { ...options, target: rows.map((_, i) => labels[i % n]) }, fn);
    predictions = r.predictions;
    r.dispose();
  } finally {
    tiled.dispose();
  }
  const accuracy = eps.map((_, k) => predictions.slice(k * n, (k + 1) * n).filter((p, i) => p === labels[i]).length / n);
  const maxEpsilon = options.maxEpsilon ?? Math.max(...eps);
  const minimal = maxEpsilon > 0 ? await minimalEpsilon(model, x, { ...options, target: labels, maxEpsilon }) : [];
  const attack = options.attack ?? 'fgsm';
  return {
    kind: 'curve',
    method: 'robustness-report',
    xLabel: 'epsilon',
    yLabel: 'accuracy',
    curves: [{ label: `accuracy under ${attack}${attack === 'pgd' ? ` (${options.norm ?? 'linf'})` : ''}`, x: [...eps], y: accuracy }],
    meta: { attack, labels, minimalEpsilon: minimal, maxEpsilon },
  };
}
