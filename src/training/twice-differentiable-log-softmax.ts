import * as tf from '@tensorflow/tfjs';

/**
 * log softmax(z) along the last axis, written with ops whose gradients can be differentiated again
 * inside `withSecondOrderGradients` (tfjs' `logSoftmax` reads its saved output, and `logSumExp`'s
 * max takes its gradient through `Equal`, which has none). The max it subtracts for stability is a
 * constant copy (a stop-gradient), which leaves the value and every derivative unchanged.
 */
export function twiceDifferentiableLogSoftmax(z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const max = z.max(-1, true);
    const shift = tf.tensor(max.dataSync(), max.shape);
    const s = tf.sub(z, shift);
    return tf.sub(s, tf.log(tf.sum(tf.exp(s), -1, true)));
  });
}
