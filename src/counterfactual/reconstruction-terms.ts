/**
 * The smooth terms through auxiliary networks shared by CEM (Dhurandhar et al. 2018: γ·‖z −
 * AE(z)‖²₂) and prototype-guided counterfactuals (Van Looveren & Klaise 2021: θ·‖ENC(z) −
 * proto‖²₂, γ·‖z − AE(z)‖²₂), and the margin losses on class probabilities both use.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import type { OutputLoss } from './output-gradient.js';

/**
 * ∂/∂z of Σ_i [γ·‖z_i − AE(z_i)‖²₂ + θ·‖ENC(z_i) − proto_i‖²₂] at n rows `z` of `shape` (either
 * network may be absent or its weight 0), one batched tf.grad through the networks, which must be
 * differentiable (a LumenError naming `fn` otherwise). `prototypes` holds n encodings flattened.
 */
export function networkTermsGradient(z: Float32Array, n: number, shape: readonly number[], terms: {
  readonly autoencoder?: Model; readonly gamma?: number; readonly encoder?: Model; readonly theta?: number; readonly prototypes?: Float32Array;
}, fn: string): Float32Array | null {
  const gamma = terms.autoencoder ? terms.gamma ?? 0 : 0;
  const theta = terms.encoder && terms.prototypes ? terms.theta ?? 0 : 0;
  if (gamma === 0 && theta === 0) return null;
  for (const m of [gamma !== 0 ? terms.autoencoder : undefined, theta !== 0 ? terms.encoder : undefined]) {
    if (m) check(m.differentiable, 'model', () => `${fn}: the autoencoder / encoder '${m.name}' must be differentiable (a tfjs model); it is a black box`);
  }
  const g = tf.tidy(() => tf.grad((x: tf.Tensor) => {
    let total = tf.scalar(0);
    if (gamma !== 0 && terms.autoencoder) total = total.add(terms.autoencoder.run(x).output.reshape(x.shape).sub(x).square().sum().mul(gamma));
    if (theta !== 0 && terms.encoder && terms.prototypes) {
      const enc = terms.encoder.run(x).output.reshape([n, -1]);
      total = total.add(enc.sub(tf.tensor(terms.prototypes, enc.shape as [number, number])).square().sum().mul(theta));
    }
    return total as tf.Scalar;
  })(tf.tensor(z, [n, ...shape])));
  const v = g.dataSync() as Float32Array;
  g.dispose();
  return Float32Array.from(v);
}

/**
 * CEM's and alibi's hinge on class probabilities p of each row with class `cls[origin]` and weight
 * `weight[origin]`: 'leave' is max(0, p_cls − max_{i≠cls} p_i + κ) (pertinent negatives and
 * counterfactuals: push the class below another by κ), 'keep' is max(0, max_{i≠cls} p_i − p_cls + κ)
 * (pertinent positives: keep it above every other by κ).
 */
export function marginLoss(cls: readonly number[], weight: readonly number[], kappa: number, mode: 'leave' | 'keep', classCount: number): OutputLoss {
  return (probs, origin) => tf.tidy(() => {
    const hot = tf.gather(tf.oneHot(tf.tensor1d([...cls], 'int32'), classCount).cast('float32'), origin) as tf.Tensor2D;
    const own = probs.mul(hot).sum(-1);
    const other = probs.sub(hot.mul(1e4)).max(-1);
    const gap = mode === 'leave' ? own.sub(other) : other.sub(own);
    return gap.add(kappa).relu().mul(tf.gather(tf.tensor1d([...weight]), origin)) as tf.Tensor1D;
  });
}

/**
 * Whether class probabilities `p` meet the margin as alibi's `compare` checks it: 'leave' — some
 * class other than `cls` beats p_cls + κ (and is in `allowed` when given); 'keep' — p_cls − κ is
 * still the largest.
 */
export function meetsMargin(p: readonly number[], cls: number, kappa: number, mode: 'leave' | 'keep', allowed?: readonly number[]): boolean {
  let bestOther = -1;
  p.forEach((v, i) => { if (i !== cls && (bestOther < 0 || v > p[bestOther])) bestOther = i; });
  if (bestOther < 0) return false;
  if (mode === 'keep') return p[cls] - kappa >= p[bestOther];
  if (!(p[bestOther] > p[cls] + kappa)) return false;
  return !allowed || allowed.includes(bestOther);
}
