import * as tf from '@tensorflow/tfjs';
import type { Dataset, DatasetBatch } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { LocalMethodInfo, MethodOptions } from '../core/method-info.js';
import type { Model } from '../core/model.js';
import { shardSeed, type Shard } from './shard-plan.js';

/** What a process needs to run shards of a job: the model, the dataset and the method with its options. */
export interface JobContext {
  readonly model: Model;
  readonly dataset: Dataset;
  readonly method: LocalMethodInfo;
  /** The method's options without target and seed (the job sets them per batch). */
  readonly options: MethodOptions;
  /** 'label' explains each row's dataset label; otherwise a method target ('predicted', a class). */
  readonly target: MethodOptions['target'] | 'label';
  readonly seed: number;
  readonly batchSize: number;
}

/**
 * One shard's results, column by column: a row per example with its dataset index, label, the
 * class explained, the model's prediction and outputs, the attribution and its completeness gap.
 */
export interface ShardRows {
  readonly shard: Shard;
  readonly method: string;
  readonly ids: Int32Array;
  readonly labels: Int32Array | null;
  readonly targets: Int32Array | null;
  readonly predictions: Int32Array;
  /** Flattened attributions, `attributionShape` per row. */
  readonly attribution: Float32Array;
  readonly attributionShape: readonly number[];
  /** Completeness gap per row, for methods that report one. */
  readonly delta: Float64Array | null;
  /** The model's outputs per row (`outputs` each). */
  readonly scores: Float32Array;
  readonly outputs: number;
}

/** The rows `[start, end)` of a dataset, `batchSize` at a time: its `slice` when it has one, else by skipping. */
export async function* shardBatches(dataset: Dataset, shard: Shard, batchSize: number): AsyncGenerator<DatasetBatch> {
  if (dataset.slice) {
    yield* dataset.slice(shard.start, shard.end).batches(batchSize);
    return;
  }
  for await (const batch of dataset.batches(batchSize)) {
    const first = batch.index[0];
    if (first >= shard.end) {
      batch.x.dispose();
      batch.y?.dispose();
      break;
    }
    if (first < shard.start) {
      batch.x.dispose();
      batch.y?.dispose();
      continue;
    }
    yield batch;
  }
}

/**
 * Explains the rows of one shard, a batch at a time; batch `b` of shard `s` draws with seed
 * shardSeed(seed, s, b), so the shard's results do not depend on which process runs it or on what
 * ran before. `batches` lets the single-machine runner feed batches it already read.
 */
export async function explainShard(ctx: JobContext, shard: Shard, batches?: AsyncIterable<DatasetBatch>, onRows?: (n: number) => void): Promise<ShardRows> {
  const n = shard.end - shard.start;
  const ids = new Int32Array(n);
  const predictions = new Int32Array(n);
  let labels: Int32Array | null = null;
  let targets: Int32Array | null = null;
  let delta: Float64Array | null = null;
  let attribution: Float32Array | undefined;
  let attributionShape: number[] = [];
  let scores: Float32Array | undefined;
  let outputs = 0;
  let at = 0;
  let b = 0;
  for await (const batch of batches ?? shardBatches(ctx.dataset, shard, ctx.batchSize)) {
    try {
      const rows = batch.index.length;
      check(batch.index[0] === shard.start + at, 'input', () => `shard ${shard.index}: expected row ${shard.start + at} next; the dataset gave row ${batch.index[0]}`);
      const label = batch.y ? Int32Array.from(await batch.y.data()) : null;
      if (label) (labels ??= new Int32Array(n)).set(label, at);
      const target = ctx.target === 'label' ? Array.from(label ?? []) : ctx.target;
      check(ctx.target !== 'label' || label !== null, 'option', () => `--target label: the dataset has no labels`);
      const out = await ctx.model.predict(batch.x);
      const flat = tf.tidy(() => out.reshape([rows, -1]));
      out.dispose();
      const score = (await flat.data()) as Float32Array;
      const pred = tf.tidy(() => flat.argMax(1));
      predictions.set(await pred.data(), at);
      pred.dispose();
      outputs = flat.shape[1] as number;
      flat.dispose();
      (scores ??= new Float32Array(n * outputs)).set(score, at * outputs);
      const result = await ctx.method.run(ctx.model, batch.x, { ...ctx.options, target, seed: shardSeed(ctx.seed, shard.index, b) });
      try {
        attributionShape = result.values.shape.slice(1);
        const per = attributionShape.reduce((p, q) => p * q, 1);
        (attribution ??= new Float32Array(n * per)).set((await result.values.data()) as Float32Array, at * per);
        if (result.target) (targets ??= new Int32Array(n)).set(result.target, at);
        if (result.meta.delta) (delta ??= new Float64Array(n).fill(NaN)).set(result.meta.delta, at);
      } finally {
        result.dispose();
      }
      batch.index.forEach((id, i) => (ids[at + i] = id));
      at += rows;
      b++;
      onRows?.(rows);
    } finally {
      batch.x.dispose();
      batch.y?.dispose();
    }
  }
  check(at === n, 'input', () => `shard ${shard.index}: expected ${n} rows (${shard.start}…${shard.end - 1}); the dataset gave ${at}`);
  return { shard, method: ctx.method.id, ids, labels, targets, predictions, attribution: attribution ?? new Float32Array(0), attributionShape, delta, scores: scores ?? new Float32Array(0), outputs };
}
