import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { Model } from '../core/model.js';
import type { Progress } from '../core/options.js';
import { BoundedTopK } from './bounded-top-k.js';
import { HnswIndex } from './hnsw-index.js';
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
  /**
   * 'exact': every row compared (bounded heap); 'hnsw': an approximate HNSW index (hnsw-index.ts;
   * cosine and L2 only); 'auto' (default): HNSW when the dataset has more than `approximateAbove`
   * rows and the metric is cosine or L2, exact otherwise.
   */
  readonly index?: 'exact' | 'hnsw' | 'auto';
  /** 'auto' switches to HNSW above this many rows (default 100,000). */
  readonly approximateAbove?: number;
  /** The HNSW index's parameters (hnswlib's names): M, efConstruction, efSearch, seed. */
  readonly hnsw?: { readonly M?: number; readonly efConstruction?: number; readonly efSearch?: number; readonly seed?: number };
}

/** The k nearest dataset rows of each query: indices and similarity (or distance) values, best first, `[T][k]`. */
export interface Neighbours {
  readonly indices: number[][];
  readonly values: number[][];
  readonly metric: 'cosine' | 'l2' | 'dot';
  /** Which search answered: 'exact' or 'hnsw'. */
  readonly index: 'exact' | 'hnsw';
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
  const index = options.index ?? 'auto';
  check(['exact', 'hnsw', 'auto'].includes(index), 'option', () => `nearestNeighbours: index must be 'exact', 'hnsw' or 'auto'; found '${index}'`);
  check(index !== 'hnsw' || metric !== 'dot', 'option', () => `nearestNeighbours: the HNSW index takes metric 'cosine' or 'l2'; found 'dot' (use index 'exact')`);
  if (index === 'hnsw' || (index === 'auto' && metric !== 'dot' && data.size > (options.approximateAbove ?? 100_000))) return hnswNeighbours(model, data, queries, { ...options, metric: metric as 'cosine' | 'l2', k });
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
  return { indices: sorted.map((s) => s.map((e) => e.index)), values: sorted.map((s) => s.map((e) => e.score)), metric, index: 'exact' };
}

/**
 * Builds an HNSW index (Malkov & Yashunin 2018) of a layer's representation of every dataset row,
 * streamed a batch at a time; the index holds the vectors (float32) and its links. Labels are the
 * rows' dataset indices.
 */
export async function buildHnswIndex(model: Model, data: Dataset, options: Pick<NearestNeighboursOptions, 'layer' | 'batchSize' | 'signal' | 'onProgress' | 'hnsw'> & { readonly metric: 'cosine' | 'l2' }): Promise<HnswIndex> {
  let index: HnswIndex | null = null;
  let done = 0;
  for await (const batch of data.batches(options.batchSize ?? 256)) {
    try {
      if (options.signal?.aborted) throw new LumenError('aborted', `buildHnswIndex: aborted after ${done} rows`);
      const h = layerRepresentation(model, batch.x, options.layer);
      const d = h.shape[1];
      const values = await h.data();
      h.dispose();
      index ??= new HnswIndex(d, { metric: options.metric, ...options.hnsw });
      for (const [j, row] of batch.index.entries()) index.add(values.subarray(j * d, (j + 1) * d), row);
      done += batch.index.length;
      options.onProgress?.({ done, total: data.size });
    } finally {
      batch.x.dispose();
      batch.y?.dispose();
    }
  }
  check(index !== null, 'input', () => 'buildHnswIndex: the dataset has no rows');
  return index;
}

/** The k approximate nearest rows of each query through an HNSW index: cosine similarity or Euclidean distance. */
async function hnswNeighbours(model: Model, data: Dataset, queries: tf.Tensor, options: NearestNeighboursOptions & { readonly metric: 'cosine' | 'l2'; readonly k: number }): Promise<Neighbours> {
  const index = await buildHnswIndex(model, data, options);
  const h = layerRepresentation(model, queries, options.layer);
  const d = h.shape[1];
  const q = await h.data();
  h.dispose();
  check(d === index.dim, 'shape', () => `nearestNeighbours: the queries' representation has ${d} values, the dataset's ${index.dim}`);
  const found = Array.from({ length: queries.shape[0] }, (_, t) => index.search(q.subarray(t * d, (t + 1) * d), options.k));
  const value = (x: number): number => (options.metric === 'cosine' ? 1 - x : Math.sqrt(Math.max(0, x)));
  return { indices: found.map((f) => f.ids), values: found.map((f) => f.distances.map(value)), metric: options.metric, index: 'hnsw' };
}
