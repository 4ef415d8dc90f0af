import * as tf from '@tensorflow/tfjs';

/**
 * Per-example completeness gap Σ attribution − Δf, where `difference(i)` is the output difference
 * f(x) − f(x′) that example i's attribution should add up to.
 */
export async function completenessDelta(attribution: tf.Tensor, difference: (example: number) => number): Promise<number[]> {
  const sums = tf.tidy(() => attribution.reshape([attribution.shape[0], -1]).sum(1));
  const data = await sums.data();
  sums.dispose();
  return Array.from(data, (s, i) => s - difference(i));
}
