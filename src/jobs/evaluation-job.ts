import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { check, LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { localMethodById } from '../methods.js';
import { evaluateMethods, rankEvaluation, type Evaluation, type UnrankedMetricRow } from '../metrics/evaluate-methods.js';
import { metricById } from '../metrics/registry.js';
import { finiteMean } from '../metrics/shared.js';
import { shardBatches } from './explain-shard.js';
import { claimJobFolder, readJobSpec } from './job-spec.js';
import { runShards, type ShardRunOptions } from './run-shards.js';
import { missingShards, readReceipts, readShardFile, sha256Hex, shardFile } from './shard-files.js';
import { shardPlan, shardSeed, type Shard } from './shard-plan.js';
import { writeFileDurable } from './write-file-durable.js';

/**
 * A dataset-scale `lumen evaluate` job, as plain JSON: the model, the dataset, the methods and
 * metrics, the seed and the shard size. Each shard is one batch of the metrics (they batch inside),
 * seeded by shardSeed(seed, shard, 0), so its scores do not depend on which run computed it.
 */
export interface EvaluationJobSpec {
  readonly version: 1;
  readonly kind: 'evaluate';
  readonly model: string;
  readonly outputKind?: string;
  readonly outputNode?: string;
  readonly data: string;
  readonly labelColumn?: string;
  readonly methods: readonly string[];
  readonly metrics: readonly string[];
  readonly seed: number;
  /** Rows per shard (and per metric call). */
  readonly shardSize: number;
  /** Rows in the dataset when the job was made. */
  readonly size: number;
}

/** What a process needs to run an evaluation job's shards. */
export interface EvaluationJobContext {
  readonly model: Model;
  readonly dataset: Dataset;
  /** The tfjs Layers model, for metrics that randomise its weights (model-parameter randomisation). */
  readonly layersModel?: tf.LayersModel;
}

/** An evaluation job's context as a process holds it: released when it moves to another job. */
export interface PreparedEvaluation extends EvaluationJobContext {
  dispose(): void;
}

/** Whether a job folder's spec is an evaluation job's (explain jobs have no `kind`). */
export function isEvaluationJob(spec: object): spec is EvaluationJobSpec {
  return (spec as { kind?: unknown }).kind === 'evaluate';
}

/** A finished evaluation shard's receipt: its rows, the sha-256 of its JSONL and, per metric and method, model calls and seconds. */
export interface EvaluationShardReceipt {
  readonly shard: number;
  readonly start: number;
  readonly end: number;
  readonly rows: number;
  readonly jsonl: string;
  readonly stats: Readonly<Record<string, Readonly<Record<string, { readonly modelCalls: number; readonly seconds: number }>>>>;
}

/** One JSONL row of an evaluation shard: the example's id, label and every metric × method score (null where undefined). */
export interface EvaluationRow {
  readonly id: number;
  readonly label: number | null;
  readonly scores: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
}

/**
 * Checks an evaluation spec: positive sizes, known methods and metrics, and no metric that
 * retrains on the whole set (ROAR, KAR, data randomisation: their score is not a sum over rows).
 */
export function checkEvaluationJobSpec(spec: EvaluationJobSpec): void {
  check(spec.version === 1 && spec.kind === 'evaluate', 'input', () => `evaluation job spec: expected version 1 of kind 'evaluate'; found version ${String(spec.version)} kind ${String(spec.kind)}`);
  for (const key of ['shardSize', 'size'] as const) {
    check(Number.isInteger(spec[key]) && spec[key] >= 1, 'option', () => `evaluation job: ${key} must be a positive integer; found ${spec[key]}`);
  }
  check(Number.isInteger(spec.seed) && spec.seed >= 0, 'option', () => `evaluation job: seed must be a non-negative integer; found ${spec.seed}`);
  check(spec.methods.length > 0 && spec.metrics.length > 0, 'option', () => `evaluation job: expected at least one method and one metric; found ${spec.methods.length} and ${spec.metrics.length}`);
  spec.methods.forEach((id) => localMethodById(id));
  for (const id of spec.metrics) {
    const m = metricById(id);
    check(!m.needs.includes('training'), 'option', () => `--metrics ${id}: retrains a model on the whole set, so its score is not a mean over rows and cannot be sharded; run it without --shard-size/--shard/--resume on at most 2000 rows`);
    check(!m.needs.includes('masks') && !m.needs.includes('quadrants'), 'option', () => `--metrics ${id}: needs ground-truth masks, which a --data dataset job does not carry; use --data bundled:groundtruth:N without job flags`);
  }
}

/** The rows `[start, end)` of the dataset as one tensor, with their ids and labels. */
async function shardInputs(dataset: Dataset, shard: Shard): Promise<{ x: tf.Tensor; ids: number[]; labels: Int32Array | null }> {
  const xs: tf.Tensor[] = [];
  const ids: number[] = [];
  const labels: number[] = [];
  let labelled = true;
  for await (const batch of shardBatches(dataset, shard, shard.end - shard.start)) {
    xs.push(batch.x);
    ids.push(...batch.index);
    if (batch.y) labels.push(...(await batch.y.data()));
    else labelled = false;
    batch.y?.dispose();
  }
  check(ids.length === shard.end - shard.start, 'input', () => `shard ${shard.index}: expected ${shard.end - shard.start} rows (${shard.start}…${shard.end - 1}); the dataset gave ${ids.length}`);
  const x = xs.length === 1 ? xs[0] : tf.concat(xs);
  if (xs.length > 1) tf.dispose(xs);
  return { x, ids, labels: labelled ? Int32Array.from(labels) : null };
}

/**
 * Runs the metrics on one shard of an evaluation job and writes its JSONL and receipt durably (the
 * receipt last: the commit point). The single-machine runner and `lumen worker` both call it.
 */
export async function evaluateShard(ctx: EvaluationJobContext, spec: EvaluationJobSpec, out: string, shard: Shard): Promise<EvaluationShardReceipt> {
  const { x, ids, labels } = await shardInputs(ctx.dataset, shard);
  let result: Omit<Evaluation, 'model'>;
  try {
    result = await evaluateMethods(ctx.model, x, spec.methods, spec.metrics, shardSeed(spec.seed, shard.index, 0), () => {}, {
      ...(labels ? { labels } : {}),
      ...(ctx.layersModel ? { layersModel: ctx.layersModel } : {}),
    });
  } finally {
    x.dispose();
  }
  const lines = ids.map((id, i) => {
    const scores: Record<string, Record<string, number | null>> = {};
    for (const m of result.metrics) scores[m.id] = Object.fromEntries(m.results.map((r) => [r.method, Number.isFinite(r.scores[i]) ? r.scores[i] : null]));
    const row: EvaluationRow = { id, label: labels ? labels[i] : null, scores };
    return JSON.stringify(row);
  });
  const jsonl = `${lines.join('\n')}\n`;
  const stats = Object.fromEntries(result.metrics.map((m) => [m.id, Object.fromEntries(m.results.map((r) => [r.method, { modelCalls: r.modelCalls, seconds: r.seconds }]))]));
  await writeFileDurable(shardFile(out, shard.index, 'jsonl'), jsonl);
  const receipt: EvaluationShardReceipt = { shard: shard.index, start: shard.start, end: shard.end, rows: ids.length, jsonl: sha256Hex(jsonl), stats };
  await writeFileDurable(shardFile(out, shard.index, 'done.json'), `${JSON.stringify(receipt)}\n`);
  return receipt;
}

/** Options of runEvaluationJob. */
export type EvaluationJobOptions = ShardRunOptions;

/** What runEvaluationJob did: the shards it ran, those it found finished, and the merged evaluation once every shard is done. */
export interface EvaluationJobRun {
  readonly ran: readonly EvaluationShardReceipt[];
  readonly skipped: number;
  readonly evaluation?: Evaluation;
}

/**
 * Runs `lumen evaluate` over a dataset as a job on this machine: the dataset is cut into shards,
 * each shard's per-example scores (every metric × method) are written to `out/shards/` with a
 * receipt, and the manifest is rewritten after each; `resume` skips finished shards, `slice` runs
 * one `k/n` slice. When no shard is left, the shards are merged (collectEvaluation).
 */
export async function runEvaluationJob(ctx: EvaluationJobContext, spec: EvaluationJobSpec, out: string, options: EvaluationJobOptions = {}): Promise<EvaluationJobRun> {
  if (ctx.dataset.size !== spec.size) throw new LumenError('input', `${spec.data}: the job was made for ${spec.size} rows; the dataset has ${ctx.dataset.size}`);
  await claimJobFolder(out, spec, checkEvaluationJobSpec);
  const { ran, skipped, done } = await runShards<EvaluationShardReceipt>(out, spec, 'this evaluation', options, () => async (shard) => evaluateShard(ctx, spec, out, shard));
  return { ran, skipped, ...(done ? { evaluation: await collectEvaluation(out) } : {}) };
}

/**
 * Merges a finished evaluation job's shards (each checked against its receipt) into one
 * Evaluation: per metric and method the scores of every row in dataset order, their mean over the
 * finite ones (the same aggregate as one unsharded run), model calls and seconds summed; then the
 * ranks and verdicts. Unfinished shards are a LumenError naming them.
 */
export async function collectEvaluation(out: string): Promise<Evaluation> {
  const spec = await readJobSpec<EvaluationJobSpec>(out);
  if (!spec || spec.kind !== 'evaluate') throw new LumenError('file', `${out}: expected an evaluation job folder (job.json of kind 'evaluate'); found ${spec ? 'an explain job' : 'none'}`);
  const all = shardPlan(spec.size, spec.shardSize);
  const receipts = await readReceipts<EvaluationShardReceipt>(out);
  const missing = missingShards(all, receipts);
  if (missing.length > 0) {
    throw new LumenError('input', `${out}: ${missing.length} of ${all.length} shards are not finished (${missing.slice(0, 10).map((s) => s.index).join(', ')}${missing.length > 10 ? ', …' : ''}); run lumen evaluate --resume to finish them`);
  }
  const scores = new Map<string, number[]>();
  const key = (metric: string, method: string): string => `${metric}\u0000${method}`;
  for (const s of all) {
    const receipt = receipts.get(s.index)!;
    const text = new TextDecoder().decode(await readShardFile(out, receipt, 'jsonl'));
    for (const line of text.split('\n').filter(Boolean)) {
      const row = JSON.parse(line) as EvaluationRow;
      for (const metric of spec.metrics) for (const method of spec.methods) {
        const list = scores.get(key(metric, method)) ?? [];
        list.push(row.scores[metric]?.[method] ?? NaN);
        scores.set(key(metric, method), list);
      }
    }
  }
  const rows: UnrankedMetricRow[] = spec.metrics.map((id) => {
    const m = metricById(id);
    return {
      id, title: m.title, category: m.category, direction: m.direction,
      results: spec.methods.map((method) => {
        const s = scores.get(key(id, method)) ?? [];
        const stat = all.map((sh) => receipts.get(sh.index)!.stats[id]?.[method] ?? { modelCalls: 0, seconds: 0 });
        return { method, aggregate: finiteMean(s), scores: s, modelCalls: stat.reduce((a, b) => a + b.modelCalls, 0), seconds: stat.reduce((a, b) => a + b.seconds, 0) };
      }),
    };
  });
  return { model: spec.model, ...rankEvaluation(spec.size, spec.methods, rows) };
}
