import * as tf from '@tensorflow/tfjs';
import { checkAborted } from '../core/batching.js';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { withInputGradientsOnly } from '../engine/input-gradients-only.js';
import { releaseTapeOnThrow } from '../engine/release-tape.js';
import { checkAttackInteger, checkAttackPositive, resolveAttack, type AttackOptions } from './attack-options.js';
import { makeAttackResult, type AttackResult } from './attack-result.js';

/** Options of `carliniWagnerL2`. */
export interface CarliniWagnerL2Options extends AttackOptions {
  /** The initial weight c of the margin term (default 1). */
  readonly c?: number;
  /** Confidence κ: the margin is floored at −κ (default 0). */
  readonly kappa?: number;
  /** Adam steps per value of c (default 100). */
  readonly steps?: number;
  /** Adam's learning rate (default 0.01). */
  readonly learningRate?: number;
  /** Values of c tried by the binary search (default 1: c itself, no search). */
  readonly binarySearchSteps?: number;
  /** Stop a run at a check (every ⌊steps/10⌋ steps) whose cost exceeds the previous check's (default true). */
  readonly abortEarly?: boolean;
}

/**
 * The margin f(Z) = max(max_{i≠t} Z_i − Z_t, −κ) of the paper (targeted; untargeted uses
 * max(Z_t − max_{i≠t} Z_i, −κ)), with the maximum over i ≠ t taken over the other logits only.
 */
export function carliniWagnerMargin(logits: tf.Tensor, classes: tf.Tensor1D, kappa: number, targeted: boolean): tf.Tensor1D {
  return tf.tidy(() => {
    const z = logits.reshape([logits.shape[0], -1]);
    const oneHot = tf.oneHot(classes, z.shape[1] as number).toFloat();
    const real = z.mul(oneHot).sum(1);
    const other = tf.where(oneHot.greater(0), tf.fill(z.shape, -Infinity), z).max(1);
    const gap = targeted ? other.sub(real) : real.sub(other);
    return tf.maximum(gap, -kappa) as tf.Tensor1D;
  });
}

/**
 * The paper's binary search step over c, per example (in place): a success lowers the upper end and
 * halves the bracket; a failure raises the lower end and halves it, or multiplies c by 10 while no
 * success has been seen (upper still 1e10).
 */
function updateBracket(c: number[], lower: number[], upper: number[], found: readonly boolean[]): void {
  for (let e = 0; e < c.length; e++) {
    if (found[e]) {
      upper[e] = Math.min(upper[e], c[e]);
      if (upper[e] < 1e9) c[e] = (lower[e] + upper[e]) / 2;
    } else {
      lower[e] = Math.max(lower[e], c[e]);
      c[e] = upper[e] < 1e9 ? (lower[e] + upper[e]) / 2 : c[e] * 10;
    }
  }
}

/**
 * Carlini & Wagner's L2 attack (Towards Evaluating the Robustness of Neural Networks, 2017): in
 * tanh space x' = lo + (hi − lo)(tanh w + 1)/2, w₀ = atanh(2(x − lo)/(hi − lo) − 1), Adam
 * (tf.train.adam, β 0.9/0.999, ε 1e-8) minimises Σ‖x' − x‖² + c·f(Z(x')). An example's best
 * image is the x' of smallest ‖x' − x‖² whose logits (before that step's update) succeed; the
 * binary search over c per example halves [lower, upper] or multiplies c by 10 as the paper's code.
 * Early abort follows torchattacks (cost above the previous check); the paper's code stops when the
 * loss exceeds 0.9999 × the previous check. One gradient call per step for the whole batch.
 */
export async function carliniWagnerL2(model: Model, x: tf.Tensor, options: CarliniWagnerL2Options = {}): Promise<AttackResult> {
  const fn = 'carliniWagnerL2';
  const setup = await resolveAttack(model, x, options, fn);
  check(Number.isFinite(setup.lo) && Number.isFinite(setup.hi), 'option', () => `${fn}: bounds must be finite (the tanh box); found [${setup.lo}, ${setup.hi}]`);
  const c0 = checkAttackPositive(options.c ?? 1, 'c', fn);
  const kappa = options.kappa ?? 0;
  check(Number.isFinite(kappa) && kappa >= 0, 'option', () => `${fn}: kappa must be a finite number ≥ 0; found ${String(kappa)}`);
  const steps = checkAttackInteger(options.steps ?? 100, 1, 'steps', fn);
  const learningRate = checkAttackPositive(options.learningRate ?? 0.01, 'learningRate', fn);
  const searches = checkAttackInteger(options.binarySearchSteps ?? 1, 1, 'binarySearchSteps', fn);
  const n = x.shape[0];
  const { lo, hi } = setup;
  const classes = tf.tensor1d([...setup.classes], 'int32');
  const c = new Array<number>(n).fill(c0);
  const lower = new Array<number>(n).fill(0);
  const upper = new Array<number>(n).fill(1e10);
  const bestL2 = new Array<number>(n).fill(1e10);
  let best = x.clone();
  const w0 = tf.tidy(() => {
    const u = x.sub(lo).mul(2 / (hi - lo)).sub(1).clipByValue(-1, 1);
    return u.add(1).div(tf.scalar(1).sub(u)).log().mul(0.5);
  });
  const check10 = Math.max(Math.floor(steps / 10), 1);
  let stepsRun = 0;
  try {
    for (let b = 0; b < searches; b++) {
      const init = w0.clone();
      const w = tf.variable(init, true); // shares init's data: disposing init leaves the variable's
      init.dispose();
      const optimizer = tf.train.adam(learningRate, 0.9, 0.999, 1e-8);
      const cTensor = tf.tensor1d(c);
      const runL2 = new Array<number>(n).fill(1e10);
      let previous = 1e10;
      try {
        for (let s = 0; s < steps; s++) {
          checkAborted(options, fn, `at step ${s}`);
          const kept: { adv?: tf.Tensor; l2?: tf.Tensor; pred?: tf.Tensor } = {};
          const step = (): { adv: tf.Tensor; l2: tf.Tensor; pred: tf.Tensor; cost: tf.Tensor; grad: tf.Tensor } => tf.tidy(() => {
            const { value, grad } = withInputGradientsOnly(() => releaseTapeOnThrow(() => tf.valueAndGrad((p: tf.Tensor) => {
              const a = p.tanh().add(1).mul((hi - lo) / 2).add(lo);
              const d = a.sub(x).reshape([n, -1]).square().sum(1);
              const z = model.run(a).output;
              // Success is judged on the logits before the update, with Z_t moved by κ as the paper's `compare`.
              const shift = tf.oneHot(classes, z.shape[1] as number).toFloat().mul(setup.targeted ? -kappa : kappa);
              kept.adv = tf.keep(a);
              kept.l2 = tf.keep(d);
              kept.pred = tf.keep(z.reshape([n, -1]).add(shift).argMax(1));
              return d.sum().add(carliniWagnerMargin(z, classes, kappa, setup.targeted).mul(cTensor).sum()) as tf.Scalar;
            })(w)));
            return { adv: kept.adv as tf.Tensor, l2: kept.l2 as tf.Tensor, pred: kept.pred as tf.Tensor, cost: value, grad };
          });
          let computed: ReturnType<typeof step>;
          try {
            computed = step();
          } catch (e) {
            // tf.keep'd tensors survive the tidy that threw
            tf.dispose([kept.adv, kept.l2, kept.pred].filter((t): t is tf.Tensor => t !== undefined));
            throw e;
          }
          const { adv, l2, pred, cost, grad } = computed;
          optimizer.applyGradients([{ name: w.name, tensor: grad }]);
          const [l2s, preds, costs] = await Promise.all([l2.data(), pred.data(), cost.data()]);
          const improved = new Array<boolean>(n).fill(false);
          for (let e = 0; e < n; e++) {
            const ok = setup.targeted ? preds[e] === setup.classes[e] : preds[e] !== setup.classes[e];
            if (ok && l2s[e] < runL2[e]) runL2[e] = l2s[e];
            if (ok && l2s[e] < bestL2[e]) {
              bestL2[e] = l2s[e];
              improved[e] = true;
            }
          }
          if (improved.some(Boolean)) {
            const previousBest = best;
            best = tf.tidy(() => tf.where(tf.tensor1d(improved.map(Number)).greater(0).reshape([n, ...x.shape.slice(1).map(() => 1)]).tile([1, ...x.shape.slice(1)]), adv, previousBest));
            previousBest.dispose();
          }
          tf.dispose([adv, l2, pred, cost, grad]);
          stepsRun++;
          if (options.abortEarly !== false && s % check10 === 0) {
            if (costs[0] > previous) break;
            previous = costs[0];
          }
        }
      } finally {
        tf.dispose([w, cTensor]);
        optimizer.dispose();
      }
      updateBracket(c, lower, upper, runL2.map((d) => d < 1e10));
    }
  } catch (e) {
    best.dispose();
    throw e;
  } finally {
    tf.dispose([w0, classes]);
  }
  return makeAttackResult(model, fn, x, best, { ...setup, norm: 'l2' }, {
    c: c0, kappa, steps, learningRate, binarySearchSteps: searches, stepsRun, l2Squared: bestL2.map((v) => (v < 1e10 ? v : null)),
  });
}
