import * as tf from '@tensorflow/tfjs';

/**
 * Projects `perturbed` back onto the ball of `radius` around `x`, as `captum.robust.PGD`'s `_clip`:
 * L∞ clamps every element of d = perturbed − x into [−r, r]; L2 follows `torch.renorm(d, 2, 0, r)`,
 * scaling an example's d by r / (‖d‖₂ + 1e-7) when ‖d‖₂ > r and leaving it unchanged otherwise.
 * `radius` is `[N, 1, …]` (one per example); no clamping to the data range; the caller owns the result.
 */
export function projectPerturbation(x: tf.Tensor, perturbed: tf.Tensor, norm: 'linf' | 'l2', radius: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const d = perturbed.sub(x);
    if (norm === 'linf') return x.add(tf.minimum(tf.maximum(d, radius.neg()), radius));
    const n = x.shape[0];
    const size = d.reshape([n, -1]).square().sum(1).sqrt().reshape(radius.shape);
    const scale = tf.where(size.greater(radius), radius.div(size.add(1e-7)), tf.onesLike(size));
    return x.add(d.mul(scale));
  });
}
