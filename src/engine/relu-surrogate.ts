/**
 * Smooth surrogates of ReLU's derivative, scoped like `withSecondOrderGradients`. A ReLU network's
 * input gradient is piecewise constant, so the gradient of a gradient explanation (what attacks on
 * explanations climb) is zero almost everywhere. Ghorbani, Abid & Zou (2019) and Dombrowski et al.
 * (2019) replace ReLU by softplus_β(z) = log(1 + e^{βz})/β, whose derivative is σ(βz). Inside
 * `withReluSurrogate({beta}, fn)` the gradient of every `Relu` kernel is dy·σ(βz) — the forward pass
 * stays ReLU's, so predictions are unchanged and only derivatives are smoothed; the derivative is
 * itself differentiable (σ'(βz)·β), so second-order gradients exist. β → ∞ gives ReLU's gradient.
 *
 * With `rescale: true` (DeepLIFT's rescale rule, Shrikumar et al. 2017) every Relu kernel must see
 * a batch [x; x′] of two equal halves, the inputs and their references run together: the first
 * half's multiplier is (s(z) − s(z′))/(z − z′) with s = softplus_β (σ(βz) where |z − z′| < 1e-6),
 * so the back-propagated multipliers are DeepLIFT's (with the smooth s for ReLU), still
 * differentiable with respect to x. The reference half gets the plain surrogate.
 * Max pools get a second-order gradient (gradients/max-pool-grad-gradient.ts). Only `Relu` kernels are affected (not Relu6, LeakyRelu, Elu). The original gradient comes back when
 * the outermost scope ends, also after a throw; scopes nest (the innermost setting wins).
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import { ensureMaxPoolGradGradient } from './gradients/max-pool-grad-gradient.js';

type GradConfig = NonNullable<ReturnType<typeof tf.getGradient>>;

/** How ReLU's derivative is replaced. */
export interface ReluSurrogate {
  /** softplus_β's sharpness (> 0; larger is closer to ReLU; Infinity is ReLU itself, for exact rescale multipliers). */
  readonly beta: number;
  /** DeepLIFT rescale multipliers on paired [x; x′] batches (see the module comment). */
  readonly rescale?: boolean;
}

// β = Infinity is ReLU itself: s = relu, s′ = step (the exact rescale rule of a ReLU network)
const softplusBeta = (z: tf.Tensor, beta: number): tf.Tensor => (Number.isFinite(beta) ? tf.softplus(z.mul(beta)).div(beta) : tf.relu(z));
const softplusDerivative = (z: tf.Tensor, beta: number): tf.Tensor => (Number.isFinite(beta) ? tf.sigmoid(z.mul(beta)) : tf.step(z));

function surrogateGradient(spec: ReluSurrogate): GradConfig {
  return {
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, [z]) => ({
      x: () => {
        const g = dy as tf.Tensor;
        const smooth = softplusDerivative(z, spec.beta);
        if (!spec.rescale) return g.mul(smooth);
        const n = z.shape[0] as number;
        check(n % 2 === 0, 'model', () => `withReluSurrogate: rescale needs paired [x; reference] batches of even size; a ReLU saw ${n} rows`);
        const [z1, z0] = tf.split(z, 2, 0);
        const [s1, s0] = tf.split(smooth, 2, 0);
        const dz = z1.sub(z0);
        // 1 where |Δz| < 1e-6 (as a float step, whose gradient is zero, so the rule stays differentiable)
        const close = tf.step(dz.abs().neg().add(1e-6));
        const ratio = softplusBeta(z1, spec.beta).sub(softplusBeta(z0, spec.beta)).div(dz.add(close));
        const m = close.mul(s1).add(tf.sub(1, close).mul(ratio));
        return g.mul(tf.concat([m, s0], 0));
      },
    }),
  };
}

let stack: GradConfig[] = [];
let original: GradConfig | undefined;

/** Runs `fn` with ReLU's derivative replaced by softplus_β's (see the module comment). */
export function withReluSurrogate<T>(spec: ReluSurrogate, fn: () => T): T {
  check(typeof spec.beta === 'number' && spec.beta > 0, 'option', () => `withReluSurrogate: beta must be a number > 0 (Infinity: ReLU itself); found ${String(spec.beta)}`);
  ensureMaxPoolGradGradient();
  if (stack.length === 0) original = tf.getGradient('Relu') ?? undefined;
  const config = surrogateGradient(spec);
  stack.push(config);
  tf.registerGradient(config);
  try {
    return fn();
  } finally {
    stack.pop();
    const back = stack.length ? stack[stack.length - 1] : original;
    if (back) tf.registerGradient(back);
    if (!stack.length) original = undefined;
  }
}
