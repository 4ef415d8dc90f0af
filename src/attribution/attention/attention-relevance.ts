import * as tf from '@tensorflow/tfjs';
import type { TokenPooling } from './attention-layers.js';

/**
 * Relevance of every token for the pooled output, from a relevance matrix R [N, T, T] whose row q
 * says how much each key token feeds query position q: row 0 for first-token ([CLS]) pooling, the
 * mean of the rows for mean pooling, or a given row. Returns [N, T]; the caller owns it.
 */
export function pooledTokenRelevance(relevance: tf.Tensor, pool: TokenPooling): tf.Tensor {
  return tf.tidy(() => {
    if (pool === 'mean') return tf.mean(relevance, 1);
    const row = pool === 'first' ? 0 : pool;
    return tf.squeeze(tf.slice(relevance, [0, row, 0], [-1, 1, -1]), [1]);
  });
}

/** One head-fusion of attention maps [N, H, T, T] → [N, T, T]: mean, max or min over heads. */
export type HeadFusion = 'mean' | 'max' | 'min';

/** Fuses the heads of attention maps [N, H, T, T] into [N, T, T]. */
export function fuseHeads(maps: tf.Tensor, fusion: HeadFusion): tf.Tensor {
  return fusion === 'mean' ? tf.mean(maps, 1) : fusion === 'max' ? tf.max(maps, 1) : tf.min(maps, 1);
}
