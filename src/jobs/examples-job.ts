import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { check, LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import type { LabelledRows } from '../examples/labelled-batch.js';
import { STREAMED_EXAMPLE_METHODS, type ScoreTerms, type StreamedExampleMethod } from '../examples/score-terms.js';
import { streamTopExamples, type RankedRows } from '../examples/streaming-scores.js';
import { collectShards, type CollectedJob } from './collect-shards.js';
import { shardBatches } from './explain-shard.js';
import { examplesJsonl, examplesParquet, type ExamplesShardRows, type RankedColumn } from './examples-rows.js';
import { claimJobFolder } from './job-spec.js';
import { runShards, type ShardRunOptions } from './run-shards.js';
import { sha256Hex, shardFile, type ShardReceipt } from './shard-files.js';
import { shardSeed, type Shard } from './shard-plan.js';
import { writeFileDurable } from './write-file-durable.js';

/**
 * A dataset-scale `lumen examples` job, as plain JSON: the model, the training set (`data`), the
 * query set whose rows the job explains, the method with its `--opt` pairs, checkpoints, target,
 * seed and sizes. Its rows are the queries: a shard is a slice of them, scored against the whole
 * training set streamed once.
 */
export interface ExamplesJobSpec {
  readonly version: 1;
  readonly kind: 'examples';
  readonly model: string;
  readonly outputKind?: string;
  readonly outputNode?: string;
  /** The training set (the rows that are ranked), as the CLI names it. */
  readonly data: string;
  /** The rows explained (the job's rows), as the CLI names it. */
  readonly queries: string;
  readonly labelColumn?: string;
  /** A registry id of STREAMED_EXAMPLE_METHODS. */
  readonly method: StreamedExampleMethod;
  /** `name=value` method options (metric, layers, solver, hessianReg, …), as `--opt` gives them. */
  readonly options: readonly string[];
  /** Neighbours: the layer compared ('input': the rows); tracin-fast: the final dense layer. */
  readonly layer?: string;
  /** TracIn's checkpoints (a JSON list or a folder, src/models/checkpoint-files.ts). */
  readonly checkpoints?: string;
  /** 'label': each query's loss uses its label; 'predicted': the model's predicted class. */
  readonly target: 'label' | 'predicted';
  readonly selfInfluence: boolean;
  readonly k: number;
  readonly seed: number;
  /** Rows per model call, over the queries and over the training set. */
  readonly batchSize: number;
  /** Queries per shard: a multiple of batchSize. */
  readonly shardSize: number;
  /** Query rows when the job was made. */
  readonly size: number;
  /** Training rows when the job was made. */
  readonly trainSize: number;
}

/** What a process needs to run an examples job's shards: the model, the queries (`dataset`, the job's rows), the training set and the method's score terms. */
export interface ExamplesJobContext {
  readonly model: Model;
  /** The query set: the job's rows. */
  readonly dataset: Dataset;
  readonly train: Dataset;
  /**
   * The method's score terms (the inverse Hessian root, TracIn's checkpoints and projection),
   * built on the first call and kept: a process pays the Hessian once per job, not per shard.
   */
  scoreTerms(): Promise<ScoreTerms>;
  readonly signal?: AbortSignal;
}

/** An examples job's context as a process holds it: released when it moves to another job. */
export interface PreparedExamples extends ExamplesJobContext {
  dispose(): void;
}

/** Whether a job folder's spec is an examples job's. */
export function isExamplesJob(spec: object): spec is ExamplesJobSpec {
  return (spec as { kind?: unknown }).kind === 'examples';
}

/** Checks an examples spec's method and numbers. */
export function checkExamplesJobSpec(spec: ExamplesJobSpec): void {
  check(spec.version === 1 && spec.kind === 'examples', 'input', () => `examples job spec: expected version 1 of kind 'examples'; found version ${String(spec.version)} kind ${String(spec.kind)}`);
  check((STREAMED_EXAMPLE_METHODS as readonly string[]).includes(spec.method), 'option', () => `examples job: the method must be one of ${STREAMED_EXAMPLE_METHODS.join(', ')} (prototypes choose rows of the whole set, not per query); found '${spec.method}'`);
  for (const key of ['batchSize', 'shardSize', 'size', 'trainSize', 'k'] as const) {
    check(Number.isInteger(spec[key]) && spec[key] >= 1, 'option', () => `examples job: ${key} must be a positive integer; found ${spec[key]}`);
  }
  check(spec.shardSize % spec.batchSize === 0, 'option', () => `--shard-size: must be a multiple of the batch size (${spec.batchSize}) so every shard is cut into the same batches; found ${spec.shardSize}`);
  check(Number.isInteger(spec.seed) && spec.seed >= 0, 'option', () => `examples job: seed must be a non-negative integer; found ${spec.seed}`);
  check(spec.target === 'label' || spec.target === 'predicted', 'option', () => `examples job: target must be 'label' or 'predicted'; found '${String(spec.target)}'`);
  check(!spec.selfInfluence || spec.method !== 'nearest-neighbours', 'option', () => '--self-influence: nearest neighbours have no self-influence (influence, arnoldi, tracin and tracin-fast do)');
  check(spec.checkpoints === undefined || spec.method === 'tracin' || spec.method === 'tracin-fast', 'option', () => `--checkpoints: only tracin and tracin-fast take checkpoints; found ${spec.method}`);
}

/** The query rows of a shard, `batchSize` at a time, with their labels, the model's predictions and the loss targets. */
async function shardQueries(ctx: ExamplesJobContext, spec: ExamplesJobSpec, shard: Shard): Promise<{ rows: LabelledRows[]; ids: Int32Array; labels: Int32Array | null; targets: Int32Array; predictions: Int32Array }> {
  const n = shard.end - shard.start;
  const ids = new Int32Array(n);
  const targets = new Int32Array(n);
  const predictions = new Int32Array(n);
  let labels: Int32Array | null = null;
  const rows: LabelledRows[] = [];
  let at = 0;
  try {
    for await (const batch of shardBatches(ctx.dataset, shard, spec.batchSize)) {
      try {
        check(batch.index[0] === shard.start + at, 'input', () => `shard ${shard.index}: expected query row ${shard.start + at} next; the dataset gave row ${batch.index[0]}`);
        const b = batch.index.length;
        const out = await ctx.model.predict(batch.x);
        const pred = tf.tidy(() => tf.argMax(tf.reshape(out, [b, -1]), 1));
        out.dispose();
        const p = Int32Array.from(await pred.data());
        pred.dispose();
        predictions.set(p, at);
        const label = batch.y ? Int32Array.from(await batch.y.data()) : null;
        if (label) (labels ??= new Int32Array(n)).set(label, at);
        check(spec.target !== 'label' || label !== null, 'option', () => `--target label: the query set ${spec.queries} has no labels (use --target predicted)`);
        const target = spec.target === 'label' ? (label as Int32Array) : p;
        targets.set(target, at);
        batch.index.forEach((id, i) => (ids[at + i] = id));
        rows.push({ x: batch.x.clone(), y: tf.tensor1d(target, 'int32') });
        at += b;
      } finally {
        batch.x.dispose();
        batch.y?.dispose();
      }
    }
    check(at === n, 'input', () => `shard ${shard.index}: expected ${n} query rows (${shard.start}…${shard.end - 1}); the dataset gave ${at}`);
  } catch (e) {
    tf.dispose(rows.flatMap((r) => [r.x, r.y]));
    throw e;
  }
  return { rows, ids, labels, targets, predictions };
}

/** Ranked rows per query as flat columns `[n · k]`. */
function rankedColumn(name: RankedColumn['name'], ranked: readonly RankedRows[], k: number): RankedColumn {
  const indices = new Int32Array(ranked.length * k);
  const scores = new Float32Array(ranked.length * k);
  ranked.forEach((r, q) => r.forEach((e, i) => {
    indices[q * k + i] = e.index;
    scores[q * k + i] = e.score;
  }));
  return { name, indices, scores };
}

/**
 * Scores one shard of queries against the whole training set (streamed once, top-k per query in
 * bounded heaps: streamTopExamples) and returns its rows. Query batch `b` of shard `s` draws (LiSSA)
 * with shardSeed(seed, s, b); everything else is deterministic, so a shard's bytes
 * do not depend on which process ran it.
 */
export async function examplesShard(ctx: ExamplesJobContext, spec: ExamplesJobSpec, shard: Shard): Promise<ExamplesShardRows> {
  const terms = await ctx.scoreTerms();
  const q = await shardQueries(ctx, spec, shard);
  try {
    const querySeeds = q.rows.map((_, b) => shardSeed(spec.seed, shard.index, b));
    const top = await streamTopExamples(ctx.model, ctx.train, q.rows, terms.terms, { querySeeds, k: spec.k, keep: terms.keep, selfInfluence: spec.selfInfluence, batchSize: spec.batchSize, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const k = Math.min(spec.k, ctx.train.size);
    const ranked: RankedColumn[] = spec.method === 'nearest-neighbours'
      ? [rankedColumn('neighbours', (top.highest ?? top.lowest) as RankedRows[], k)]
      : [rankedColumn('proponents', top.highest ?? [], k), rankedColumn('opponents', top.lowest ?? [], k)];
    return { shard, method: spec.method, k, ids: q.ids, labels: q.labels, targets: q.targets, predictions: q.predictions, ranked, selfInfluence: top.selfInfluence ?? null };
  } finally {
    tf.dispose(q.rows.flatMap((r) => [r.x, r.y]));
  }
}

/** Writes an examples shard durably: JSONL, Parquet, then the receipt (the commit point); a rerun replaces the files whole. */
export async function writeExamplesShard(out: string, rows: ExamplesShardRows): Promise<ShardReceipt> {
  const jsonl = examplesJsonl(rows);
  const parquet = examplesParquet(rows);
  const { index, start, end } = rows.shard;
  await writeFileDurable(shardFile(out, index, 'jsonl'), jsonl);
  await writeFileDurable(shardFile(out, index, 'parquet'), parquet);
  const receipt: ShardReceipt = { shard: index, start, end, rows: rows.ids.length, jsonl: sha256Hex(jsonl), parquet: sha256Hex(parquet) };
  await writeFileDurable(shardFile(out, index, 'done.json'), `${JSON.stringify(receipt)}\n`);
  return receipt;
}

/** Options of runExamplesJob. */
export type ExamplesJobOptions = ShardRunOptions;

/** What runExamplesJob did: the shards it ran, those it found finished, and the merged files once every shard is done. */
export interface ExamplesJobRun {
  readonly ran: readonly ShardReceipt[];
  readonly skipped: number;
  readonly collected?: CollectedJob;
}

/**
 * Runs `lumen examples --queries … --out dir` as a job on this machine: the queries are cut into
 * shards, each shard's rows (top-k training rows per query, self-influence where asked) written to
 * `out/shards/` with a receipt and the manifest rewritten after each; `resume` skips finished
 * shards, `slice` runs one `k/n` slice. When no shard is left, the shards are merged into
 * `results.jsonl` and `results.parquet` (collectShards).
 */
export async function runExamplesJob(ctx: ExamplesJobContext, spec: ExamplesJobSpec, out: string, options: ExamplesJobOptions = {}): Promise<ExamplesJobRun> {
  if (ctx.dataset.size !== spec.size) throw new LumenError('input', `${spec.queries}: the job was made for ${spec.size} query rows; the dataset has ${ctx.dataset.size}`);
  if (ctx.train.size !== spec.trainSize) throw new LumenError('input', `${spec.data}: the job was made for ${spec.trainSize} training rows; the dataset has ${ctx.train.size}`);
  await claimJobFolder(out, spec, checkExamplesJobSpec);
  const { ran, skipped, done } = await runShards<ShardReceipt>(out, spec, 'this examples job', options, () => async (shard) => writeExamplesShard(out, await examplesShard(ctx, spec, shard)));
  return { ran, skipped, ...(done ? { collected: await collectShards(out) } : {}) };
}
