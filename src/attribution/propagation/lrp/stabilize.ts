import * as tf from '@tensorflow/tfjs';

/**
 * Zennit's stabilizer: `z + ε·sign(z)` with sign(0) = +1, so a denominator is never closer to zero
 * than ε (Bach et al., 2015, the ε-rule's denominator).
 */
export function stabilize(z: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.add(z, tf.where(tf.greaterEqual(z, 0), tf.scalar(epsilon), tf.scalar(-epsilon)));
}
