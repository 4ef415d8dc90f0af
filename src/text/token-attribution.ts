import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';

/** How an embedding attribution [N, L, E] becomes one number per token. */
export type TokenReduction = 'sum' | 'l1' | 'l2';

/**
 * One score per token from an attribution on an embedding layer's output [N, L, E]: the sum over
 * the embedding axis (default; Captum's tutorials' convention, signed, and the one for which
 * completeness Σ_tokens = f(x) − f(baseline) holds), the L1 norm or the L2 norm (unsigned
 * magnitudes, as saliency per token is usually shown). Returns [N, L]; the caller owns it.
 */
export function tokenAttribution(values: tf.Tensor, reduction: TokenReduction = 'sum'): tf.Tensor {
  check(values.rank === 3, 'shape', () => `tokenAttribution: expected an embedding attribution [N, L, E]; found [${values.shape}]`);
  check(['sum', 'l1', 'l2'].includes(reduction), 'option', () => `tokenAttribution: reduction must be 'sum', 'l1' or 'l2'; found ${JSON.stringify(reduction)}`);
  return tf.tidy(() => {
    if (reduction === 'sum') return tf.sum(values, -1);
    if (reduction === 'l1') return tf.sum(tf.abs(values), -1);
    return tf.sqrt(tf.sum(tf.square(values), -1));
  });
}
