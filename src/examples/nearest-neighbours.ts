import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { Model } from '../core/model.js';
import type { Progress } from '../core/options.js';
import { BoundedTopK } from './bounded-top-k.js';
import { layerRepresentation } from './representations.js';

/** Options of `nearestNeighbours`. */
export interface NearestNeighboursOptions {
  /** The layer whose outputs are compared ('input': the raw rows). */
  readonly layer: string;
  /** 'cosine' and 'dot': largest first; 'l2' (Euclidean distance): smallest first. Default 'cosine'. */
  readonly metric?: 'cosine' | 'l2' | 'dot';
  /** Neighbours per query (default 5). */
  readonly k?: number;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

/** The k nearest dataset rows of each query: indices and similarity (or distance) values, best first, `[T][k]`. */
export interface Neighbours {
  readonly indices: number[][];
  readonly values: number[][];
  readonly metric: 'cosine' | 'l2' | 'dot';
}

/**
 * The nearest training examples of each query in a layer's representation (cosine, Euclidean or
 * dot product), streamed over the dataset a batch at a time with a bounded top-k heap per query, so
 * memory is one batch whatever the dataset's size. Cosine and L2 match Captum's
 * `SimilarityInfluence` (cosine_similarity, euclidean_distance).
 */
export async function nearestNeighbours(model: Model, data: Dataset, queries: tf.Tensor, options: NearestNeighboursOptions): Promise<Neighbours> {
  const metric = options.metric ?? 'cosine';
  check(['cosine', 'l2', 'dot'].includes(metric), 'option', () => `nearestNeighbours: metric must be 'cosine', 'l2' or 'dot'; found '${metric}'`);
  const k = options.k ?? 5;
  check(Number.isInteger(k) && k >= 1, 'option', () => `nearestNeighbours: k must be a positive integer; found ${k}`);
  const q = tf.tidy(() => {
    const h = layerRepresentation(model, queries, options.layer);
    return metric === 'cosine' ? tf.div(h, tf.maximum(tf.norm(h, 'euclidean', 1, true), 1e-12)) : h;
  });
  const t = queries.shape[0];
  const heaps = Array.from({ length: t }, () => new BoundedTopK(k, metric !== 'l2'));
  let done = 0;
  try {
    for await (const batch of data.batches(options.batchSize ?? 256)) {
      try {
        if (options.signal?.aborted) throw new LumenError('aborted', `nearestNeighbours: aborted after ${done} rows`);
        const s = tf.tidy(() => {
          let h = layerRepresentation(model, batch.x, options.layer);
          if (metric === 'cosine') h = tf.div(h, tf.maximum(tf.norm(h, 'euclidean', 1, true), 1e-12));
          if (metric !== 'l2') return tf.matMul(q, h, false, true);
          const d2 = tf.add(tf.sub(tf.sum(tf.square(q), 1, true), tf.mul(2, tf.matMul(q, h, false, true))), tf.transpose(tf.sum(tf.square(h), 1, true)));
          return tf.sqrt(tf.relu(d2));
        });
        const values = await s.data();
        s.dispose();
        const b = batch.index.length;
        for (let i = 0; i < t; i++) for (let j = 0; j < b; j++) heaps[i].push(batch.index[j], values[i * b + j]);
        done += b;
        options.onProgress?.({ done, total: data.size });
      } finally {
        batch.x.dispose();
        batch.y?.dispose();
      }
    }
  } finally {
    q.dispose();
  }
  const sorted = heaps.map((h) => h.sorted());
  return { indices: sorted.map((s) => s.map((e) => e.index)), values: sorted.map((s) => s.map((e) => e.score)), metric };
}
