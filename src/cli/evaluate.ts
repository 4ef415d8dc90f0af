import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../core/attribution.js';
import { check, LumenError } from '../core/errors.js';
import { loadMnist, mnistBatch, mnistSplit } from '../data/mnist.js';
import { readNpy } from '../data/npy.js';
import { methodById } from '../methods.js';
import { METRICS, metricById, type MetricInfo } from '../metrics/registry.js';
import type { MetricResult } from '../metrics/result.js';
import { barChartSvg } from '../render/bar-chart.js';
import { renderReport, type ReportSection } from '../render/html-report.js';
import { withBackend } from './context.js';
import { loadModelSpec } from './load-model.js';
import { formatTable } from './table.js';

/** Metrics run when `--metrics` is not given: one or two per category that need only the model and data. */
export const DEFAULT_EVALUATION_METRICS = ['deletion', 'insertion', 'faithfulness-correlation', 'infidelity', 'max-sensitivity', 'random-logit', 'sparseness', 'complexity'];

/** One method's result on one metric. */
export interface EvaluationScore {
  readonly method: string;
  readonly aggregate: number;
  readonly scores: readonly number[];
  readonly rank: number;
  readonly modelCalls: number;
  readonly seconds: number;
}

/** Everything `lumen evaluate` computed. */
export interface Evaluation {
  readonly model: string;
  readonly examples: number;
  readonly methods: readonly string[];
  readonly metrics: readonly { readonly id: string; readonly title: string; readonly category: string; readonly direction: string; readonly results: readonly EvaluationScore[] }[];
  readonly verdicts: Readonly<Record<string, string>>;
}

/** Loads `--data`: `bundled:mnist[:N]` (the first N held-out digits, default 16) or an .npy file. */
export function loadEvaluationData(spec: string, inputShape: readonly number[]): tf.Tensor {
  const m = /^bundled:mnist(?::(\d+))?$/.exec(spec);
  if (m) {
    const n = Number(m[1] ?? 16);
    check(n >= 1 && n <= 2000, 'option', () => `--data ${spec}: N must be 1…2000 held-out digits; found ${n}`);
    const data = loadMnist();
    return mnistBatch(data, mnistSplit(data).heldOut.slice(0, n));
  }
  if (spec.toLowerCase().endsWith('.npy')) {
    const npy = readNpy(spec);
    const per = inputShape.reduce((a, b) => a * b, 1);
    check(npy.data.length % per === 0 && npy.data.length > 0, 'shape', () => `--data ${spec}: shape [${npy.shape}] is not a batch of the model's input [${inputShape}]`);
    return tf.tensor(npy.data, [npy.data.length / per, ...inputShape]);
  }
  throw new LumenError('option', `--data ${spec}: expected bundled:mnist[:N] or an .npy file`);
}

/** Ranks 1 … k by aggregate in the metric's direction (NaN last). */
function ranks(values: readonly number[], direction: string): number[] {
  const key = (v: number): number => (Number.isFinite(v) ? (direction === 'higher' ? -v : v) : Infinity);
  const order = values.map((_, i) => i).sort((a, b) => key(values[a]) - key(values[b]));
  const out = new Array<number>(values.length);
  order.forEach((i, r) => (out[i] = r + 1));
  return out;
}

/** Runs every metric for every method on the model and data, and ranks the methods. */
export async function evaluateMethods(
  model: Parameters<MetricInfo['run']>[0], x: tf.Tensor, methodIds: readonly string[], metricIds: readonly string[], seed = 0, log: (s: string) => void = () => {},
): Promise<Omit<Evaluation, 'model'>> {
  const metrics = metricIds.map(metricById);
  for (const m of metrics) {
    check(!m.needs.some((n) => n === 'masks' || n === 'randomizer' || n === 'quadrants'), 'option', () =>
      `lumen evaluate: metric '${m.id}' needs ${m.needs.join(', ')}, which the command cannot supply; use the library`);
  }
  const methods = methodIds.map((id) => methodById(id));
  const attributions = new Map<string, Attribution>();
  try {
    for (const m of methods) attributions.set(m.id, await m.run(model, x, { target: 'predicted', seed }));
    const rows = [];
    for (const metric of metrics) {
      const results: Omit<EvaluationScore, 'rank'>[] = [];
      for (const m of methods) {
        const t0 = performance.now();
        const subject = metric.needs.includes('method') ? m.id : (attributions.get(m.id) as Attribution);
        const r: MetricResult = await metric.run(model, x, subject, { target: 'predicted', seed });
        results.push({ method: m.id, aggregate: r.aggregate, scores: r.scores, modelCalls: r.modelCalls, seconds: (performance.now() - t0) / 1000 });
        log(`${metric.id} · ${m.id}: ${r.aggregate.toPrecision(4)}`);
      }
      const rk = ranks(results.map((r) => r.aggregate), metric.direction);
      rows.push({ id: metric.id, title: metric.title, category: metric.category, direction: metric.direction, results: results.map((r, i) => ({ ...r, rank: rk[i] })) });
    }
    const verdicts: Record<string, string> = {};
    for (const m of methods) {
      const own = rows.map((row) => ({ row, rank: (row.results.find((r) => r.method === m.id) as EvaluationScore).rank }));
      const firsts = own.filter((o) => o.rank === 1).map((o) => o.row.id);
      const mean = own.reduce((s, o) => s + o.rank, 0) / Math.max(1, own.length);
      const worst = own.filter((o) => o.rank === methods.length && methods.length > 1).map((o) => o.row.id);
      verdicts[m.id] = `mean rank ${mean.toFixed(1)} of ${methods.length}; best on ${firsts.length}/${own.length}${firsts.length ? ` (${firsts.join(', ')})` : ''}${worst.length ? `; last on ${worst.join(', ')}` : ''}`;
    }
    return { examples: x.shape[0], methods: methodIds, metrics: rows, verdicts };
  } finally {
    for (const a of attributions.values()) a.dispose();
  }
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** The HTML report of an evaluation: a ranking table, one bar chart per metric and the verdicts. */
export function evaluationReport(e: Evaluation): string {
  const sections: ReportSection[] = [
    {
      title: 'Ranking',
      text: 'Each cell is the mean score over the examples, with the method’s rank among the methods for that metric (1 = best in the metric’s direction).',
      table: {
        columns: ['metric', 'category', 'better', ...e.methods],
        rows: e.metrics.map((m) => [m.title, m.category, m.direction, ...m.results.map((r) => `${Number.isFinite(r.aggregate) ? r.aggregate.toPrecision(4) : 'n/a'} (#${r.rank})`)]),
      },
    },
    { title: 'Verdicts', table: { columns: ['method', 'verdict'], rows: e.methods.map((m) => [m, e.verdicts[m]]) } },
    {
      title: 'Scores per metric',
      figures: e.metrics.map((m) => ({
        svg: barChartSvg(m.results.map((r) => r.method), m.results.map((r) => (Number.isFinite(r.aggregate) ? r.aggregate : 0)), { title: m.title }),
        caption: m.title,
        note: `${m.direction} is better · ${m.category}`,
      })),
    },
  ];
  return renderReport({ title: `Lumen evaluation of ${e.methods.join(', ')}`, intro: `Model ${e.model}, ${e.examples} examples.`, sections });
}

/** `lumen evaluate --model … --data … --methods a,b,c [--metrics …] [--json] [--out dir]`. */
export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('rank attribution methods on your model and data with evaluation metrics (faithfulness, robustness, randomisation, complexity, axioms)')
    .requiredOption('--model <spec>', 'bundled:mnist, bundled:penguins, a tfjs model directory or model.json')
    .requiredOption('--data <spec>', 'bundled:mnist[:N] (N held-out digits, default 16) or an .npy batch')
    .requiredOption('--methods <ids>', 'comma-separated method ids (see `lumen methods`)')
    .option('--metrics <ids>', `comma-separated metric ids (default ${DEFAULT_EVALUATION_METRICS.join(',')}; all: ${METRICS.map((m) => m.id).join(',')})`)
    .option('--seed <n>', 'seed of every random draw', '0')
    .option('--json', 'print every score as JSON')
    .option('--out <dir>', 'write index.html (table, charts, verdicts) and evaluation.json there')
    .action(async (opts: { model: string; data: string; methods: string; metrics?: string; seed: string; json?: boolean; out?: string }) => {
      await withBackend(program);
      const loaded = await loadModelSpec(opts.model);
      const x = loadEvaluationData(opts.data, loaded.model.inputShape);
      try {
        const split = (s: string): string[] => s.split(',').map((t) => t.trim()).filter(Boolean);
        const log = opts.json ? () => {} : (s: string) => process.stderr.write(`${s}\n`);
        const result: Evaluation = { model: opts.model, ...(await evaluateMethods(loaded.model, x, split(opts.methods), opts.metrics ? split(opts.metrics) : DEFAULT_EVALUATION_METRICS, Number(opts.seed), log)) };
        if (opts.out) {
          mkdirSync(opts.out, { recursive: true });
          writeAtomic(path.join(opts.out, 'evaluation.json'), `${JSON.stringify(result, null, 2)}\n`);
          writeAtomic(path.join(opts.out, 'index.html'), evaluationReport(result));
        }
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        const rows = result.metrics.map((m) => [m.id, m.direction, ...m.results.map((r) => `${Number.isFinite(r.aggregate) ? r.aggregate.toPrecision(4) : 'n/a'} #${r.rank}`)]);
        process.stdout.write(`${formatTable(['metric', 'better', ...result.methods], rows)}\n\n`);
        for (const m of result.methods) process.stdout.write(`${m}: ${result.verdicts[m]}\n`);
        if (opts.out) process.stdout.write(`\nreport: ${path.join(opts.out, 'index.html')}\n`);
      } finally {
        x.dispose();
        loaded.dispose();
      }
    });
}
