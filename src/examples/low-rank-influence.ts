import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import type { Model } from '../core/model.js';
import { forEachLabelledBatch, type LabelledRows, type StreamOptions } from './labelled-batch.js';
import { perExampleGradients, type PerExampleGradientOptions } from './per-example-gradients.js';
import type { InfluenceScores } from './tracin-cp.js';

/**
 * Influence scores through a low-rank inverse Hessian H⁻¹ ≈ R Rᵀ (`root` `[P, k]`): each row's
 * "influence embedding" g R (Captum's intermediate quantities), scores their dot products
 * `[T, N]`, streamed over the training set a batch at a time.
 */
export async function lowRankInfluence(model: Model, train: Dataset, test: LabelledRows, root: tf.Tensor2D, options: PerExampleGradientOptions & StreamOptions, what: string): Promise<InfluenceScores> {
  const t = test.x.shape[0];
  const n = train.size;
  const scores = new Float32Array(t * n);
  const left = tf.tidy(() => tf.matMul(perExampleGradients(model, test.x, test.y, options), root));
  try {
    await forEachLabelledBatch(train, options, what, async ({ x, y, index }) => {
      const block = tf.tidy(() => tf.matMul(left, tf.matMul(perExampleGradients(model, x, y, options), root), false, true));
      const values = await block.data();
      block.dispose();
      const b = index.length;
      for (let i = 0; i < t; i++) for (let k = 0; k < b; k++) scores[i * n + index[k]] = values[i * b + k];
    });
  } finally {
    left.dispose();
  }
  return { scores, shape: [t, n] };
}

/** Self-influence ‖g_j R‖² of every training row through a low-rank inverse Hessian R Rᵀ. */
export async function lowRankSelfInfluence(model: Model, train: Dataset, root: tf.Tensor2D, options: PerExampleGradientOptions & StreamOptions, what: string): Promise<Float32Array> {
  const out = new Float32Array(train.size);
  await forEachLabelledBatch(train, options, what, async ({ x, y, index }) => {
    const v = tf.tidy(() => tf.sum(tf.square(tf.matMul(perExampleGradients(model, x, y, options), root)), 1));
    const values = await v.data();
    v.dispose();
    index.forEach((row, k) => (out[row] = values[k]));
  });
  return out;
}
