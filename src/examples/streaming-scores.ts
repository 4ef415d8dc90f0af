import * as tf from '@tensorflow/tfjs';
import { disposeCheckpoint, snapshotCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import { check } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { Model } from '../core/model.js';
import { BoundedTopK } from './bounded-top-k.js';
import { forEachLabelledBatch, type LabelledRows, type StreamOptions } from './labelled-batch.js';

/**
 * One term of an example score `s(t, j) = Σ_terms weight · block(q_t, r_j)`: TracIn has one term per
 * checkpoint (its learning rate the weight), influence functions and neighbours one. `queries` and
 * `train` map rows to their embeddings (per-example gradients, their product with H^-½, a layer's
 * normalised outputs); `block` scores every query against every training row of a batch, `[T, B]`.
 */
export interface ScoreTerm {
  /** Parameters loaded into the model before this term's embeddings are computed (TracIn's checkpoints). */
  readonly checkpoint?: Checkpoint;
  readonly weight: number;
  /** The queries' embeddings (kept by the caller until the end of the stream); `seed`: the batch's seed (LiSSA's draws). */
  queries(rows: LabelledRows, seed?: number): Promise<tf.Tensor[]>;
  /** A training batch's embeddings (inside a tidy). */
  train(rows: LabelledRows): tf.Tensor[];
  /** `[T, B]` scores of the queries against a training batch (inside a tidy). */
  block(queries: readonly tf.Tensor[], train: readonly tf.Tensor[]): tf.Tensor;
  /** Each query's self-influence `[T]` from its embeddings (inside a tidy), for the methods that have one. */
  self?(queries: readonly tf.Tensor[]): tf.Tensor;
}

/** The best training rows of one query, best first. */
export type RankedRows = { index: number; score: number }[];

/** What streamTopExamples found: per query the `k` highest-scoring rows and/or the `k` lowest (by `keep`); self-influence where asked. */
export interface TopExamples {
  readonly highest?: RankedRows[];
  readonly lowest?: RankedRows[];
  readonly selfInfluence?: Float32Array;
}

/** Options of streamTopExamples. */
export interface TopExamplesOptions extends StreamOptions {
  readonly k: number;
  /** Which rows to keep per query: the k highest scores (proponents, similarities), the k lowest (L2 distances) or both (proponents and opponents). */
  readonly keep: 'highest' | 'lowest' | 'both';
  readonly selfInfluence?: boolean;
  /** Per query batch, the seed of its random draws (terms that draw: LiSSA). */
  readonly querySeeds?: readonly number[];
}

/**
 * Streams a training set once for a list of query batches and keeps, per query, the top-k rows by
 * score (Pruthi et al. 2020's proponents and opponents, Koh & Liang 2017's most helpful and harmful
 * rows, nearest neighbours) in bounded heaps: memory is one training batch, the queries' embeddings
 * and k pairs per query, whatever the training set's size (no `[T, N]` matrix). Each query batch is
 * scored against each training batch on its own, so a query's scores do not depend on the other
 * batches given. Terms with checkpoints are loaded in turn for each training batch; the model's
 * parameters are restored at the end.
 */
export async function streamTopExamples(model: Model, train: Dataset, queries: readonly LabelledRows[], terms: readonly ScoreTerm[], options: TopExamplesOptions): Promise<TopExamples> {
  check(Number.isInteger(options.k) && options.k >= 1, 'option', () => `streamTopExamples: k must be a positive integer; found ${options.k}`);
  check(terms.length > 0, 'option', () => 'streamTopExamples: at least one score term is needed');
  const k = Math.min(options.k, train.size);
  const sizes = queries.map((q) => q.x.shape[0]);
  const total = sizes.reduce((a, b) => a + b, 0);
  const high = options.keep !== 'lowest' ? Array.from({ length: total }, () => new BoundedTopK(k, true)) : null;
  const low = options.keep !== 'highest' ? Array.from({ length: total }, () => new BoundedTopK(k, false)) : null;
  const withCheckpoints = terms.some((t) => t.checkpoint);
  const saved = withCheckpoints ? snapshotCheckpoint(model) : null;
  const set = (t: ScoreTerm): void => {
    if (t.checkpoint) (model.setParameters as NonNullable<Model['setParameters']>)(t.checkpoint.parameters);
  };
  const embeddings: tf.Tensor[][][] = [];
  const self = options.selfInfluence ? new Float32Array(total) : undefined;
  try {
    for (const term of terms) {
      check(!options.selfInfluence || term.self !== undefined, 'option', () => 'streamTopExamples: this method has no self-influence');
      set(term);
      const per: tf.Tensor[][] = [];
      embeddings.push(per);
      let at = 0;
      for (const [b, q] of queries.entries()) {
        const e = await term.queries(q, options.querySeeds?.[b]);
        per.push(e);
        if (self && term.self) {
          const v = tf.tidy(() => tf.mul(term.self!(e), term.weight));
          const values = await v.data();
          v.dispose();
          for (let i = 0; i < values.length; i++) self[at + i] += values[i];
        }
        at += sizes[b];
      }
    }
    await forEachLabelledBatch(train, options, 'streamTopExamples', async (batch) => {
      const b = batch.index.length;
      const acc = sizes.map((t) => new Float32Array(t * b));
      for (const [c, term] of terms.entries()) {
        if (terms.length > 1) set(term);
        const r = tf.tidy(() => term.train(batch));
        try {
          for (const [q, e] of embeddings[c].entries()) {
            const block = tf.tidy(() => tf.mul(term.block(e, r), term.weight));
            const values = await block.data();
            block.dispose();
            const a = acc[q];
            for (let i = 0; i < values.length; i++) a[i] += values[i];
          }
        } finally {
          tf.dispose(r);
        }
      }
      let row = 0;
      for (const [q, a] of acc.entries()) {
        for (let i = 0; i < sizes[q]; i++, row++) {
          for (let j = 0; j < b; j++) {
            const s = a[i * b + j];
            high?.[row].push(batch.index[j], s);
            low?.[row].push(batch.index[j], s);
          }
        }
      }
    });
  } finally {
    tf.dispose(embeddings.flat(2));
    if (saved) {
      (model.setParameters as NonNullable<Model['setParameters']>)(saved.parameters);
      disposeCheckpoint(saved);
    }
  }
  return {
    ...(high ? { highest: high.map((h) => h.sorted()) } : {}),
    ...(low ? { lowest: low.map((h) => h.sorted()) } : {}),
    ...(self ? { selfInfluence: self } : {}),
  };
}
