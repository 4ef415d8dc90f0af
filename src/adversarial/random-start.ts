import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random.js';

/**
 * A seeded random point in the ball of `radius` around each example, as `captum.robust.PGD`'s
 * `_random_point`: L∞ draws every element uniformly in [−r, r); L2 draws a uniform direction
 * (normalised Gaussian) at distance r·u^(1/d), u uniform, d the elements per example. Not clamped;
 * the caller owns the result. Draws come from `Rng(seed)` (Captum uses torch's global RNG).
 */
export function randomStart(x: tf.Tensor, norm: 'linf' | 'l2', radius: readonly number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  const n = x.shape[0];
  const d = x.size / n;
  const offsets = new Float32Array(x.size);
  for (let e = 0; e < n; e++) {
    const r = radius[e];
    const row = offsets.subarray(e * d, (e + 1) * d);
    if (norm === 'linf') {
      for (let i = 0; i < d; i++) row[i] = rng.uniform() * 2 * r - r;
      continue;
    }
    let sq = 0;
    const g = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      g[i] = rng.normal();
      sq += g[i] * g[i];
    }
    const length = Math.max(Math.sqrt(sq), 1e-12);
    const distance = Math.pow(rng.uniform(), 1 / d) * r;
    for (let i = 0; i < d; i++) row[i] = (g[i] / length) * distance;
  }
  return tf.tidy(() => x.add(tf.tensor(offsets, x.shape)));
}
