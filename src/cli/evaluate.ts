import path from 'node:path';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../core/attribution.js';
import { check, LumenError } from '../core/errors.js';
import { loadMnist, mnistBatch, mnistLabels, mnistSplit } from '../data/mnist.js';
import { groundTruthData, groundTruthTensor } from '../metrics/benchmark/ground-truth-data.js';
import { layersModelRandomizer } from '../metrics/model-parameter-randomisation.js';
import { rankScores } from '../metrics/rank-scores.js';
import type { TrainingSet } from '../metrics/retraining.js';
import { readNpy } from '../data/npy.js';
import { ensureWritableDir, writeFileAtomic } from '../data/io.js';
import { parseIntegerFlag } from './parse-number.js';
import { localMethodById } from '../methods.js';
import { METRICS, metricById, type MetricInfo, type MetricRunOptions } from '../metrics/registry.js';
import type { MetricResult } from '../metrics/result.js';
import { barChartSvg } from '../render/bar-chart.js';
import { renderReport, type ReportSection } from '../render/html-report.js';
import { withBackend } from './context.js';
import { modelSpecOptions, type ModelFlags, OUTPUT_KIND_FLAG, OUTPUT_NODE_FLAG, ENGINE_FLAG } from './model-flags.js';
import { loadModelSpec } from './load-model.js';
import { formatTable } from './table.js';
import { DATASET_SPECS, loadDatasetSpec } from './dataset-spec.js';
import { evaluationDataFromDataset } from './evaluation-dataset.js';

/** Metrics run when `--metrics` is not given: one or two per category that need only the model and data. */
export const DEFAULT_EVALUATION_METRICS = ['deletion', 'insertion', 'faithfulness-correlation', 'infidelity', 'max-sensitivity', 'random-logit', 'sparseness', 'complexity'];

/** Added to the defaults when the data has ground-truth masks (bundled:groundtruth). */
export const DEFAULT_LOCALISATION_METRICS = ['pointing-game', 'relevance-mass-accuracy'];

/** One method's result on one metric. */
export interface EvaluationScore {
  readonly method: string;
  readonly aggregate: number;
  readonly scores: readonly number[];
  readonly rank: number;
  readonly modelCalls: number;
  readonly seconds: number;
  /** ROAR / KAR: the retrained models' accuracy (`accuracy`) at each fraction of pixels removed or kept. */
  readonly curve?: { readonly fractions: readonly number[]; readonly accuracy: readonly number[] };
}

/** Everything `lumen evaluate` computed. */
export interface Evaluation {
  readonly model: string;
  readonly examples: number;
  readonly methods: readonly string[];
  readonly metrics: readonly { readonly id: string; readonly title: string; readonly category: string; readonly direction: string; readonly results: readonly EvaluationScore[] }[];
  readonly verdicts: Readonly<Record<string, string>>;
}

/** What `--data` gives: the inputs and, for bundled data, their labels, masks and a training set. */
export interface EvaluationData {
  readonly x: tf.Tensor;
  /** The true class of each input (bundled data). */
  readonly labels?: Int32Array;
  /** Ground-truth masks `[N, H, W, 1]` of the evidence (bundled:groundtruth). */
  readonly masks?: tf.Tensor;
  /** A training set for the retraining metrics (ROAR, KAR, data randomisation), built when asked. */
  readonly trainingSet?: () => TrainingSet;
  dispose(): void;
}

/** Training examples the CLI gives the retraining metrics (bundled data). */
export const EVALUATION_TRAIN_COUNT = 2000;

/**
 * Loads `--data`: `bundled:mnist[:N]` (the first N held-out digits, default 16),
 * `bundled:groundtruth[:N]` (N ground-truth benchmark images with the masks of their digits,
 * default 16) or an .npy file.
 */
export function loadEvaluationData(spec: string, inputShape: readonly number[]): EvaluationData {
  const m = /^bundled:(mnist|groundtruth)(?::(\d+))?$/.exec(spec);
  if (m) {
    const n = Number(m[2] ?? 16);
    check(n >= 1 && n <= 2000, 'option', () => `--data ${spec}: N must be 1…2000 held-out examples; found ${n}`);
    const train: TrainingSet[] = [];
    const once = (make: () => TrainingSet) => (): TrainingSet => {
      if (!train.length) train.push(make());
      return train[0];
    };
    if (m[1] === 'groundtruth') {
      const d = groundTruthData(n, { seed: 0 });
      const x = groundTruthTensor(d);
      const masks = groundTruthTensor(d, d.regions);
      return {
        x, labels: d.labels, masks,
        trainingSet: once(() => {
          const t = groundTruthData(EVALUATION_TRAIN_COUNT, { seed: 101, split: 'train' });
          return { x: groundTruthTensor(t), labels: t.labels };
        }),
        dispose: () => tf.dispose([x, masks, ...train.map((t) => t.x)]),
      };
    }
    const data = loadMnist();
    const split = mnistSplit(data);
    const x = mnistBatch(data, split.heldOut.slice(0, n));
    return {
      x, labels: mnistLabels(data, split.heldOut.slice(0, n)),
      trainingSet: once(() => {
        const idx = split.train.slice(0, EVALUATION_TRAIN_COUNT);
        return { x: mnistBatch(data, idx), labels: mnistLabels(data, idx) };
      }),
      dispose: () => tf.dispose([x, ...train.map((t) => t.x)]),
    };
  }
  if (spec.toLowerCase().endsWith('.npy')) {
    const npy = readNpy(spec);
    const per = inputShape.reduce((a, b) => a * b, 1);
    check(npy.data.length % per === 0 && npy.data.length > 0, 'shape', () => `--data ${spec}: shape [${npy.shape}] is not a batch of the model's input [${inputShape}]`);
    const x = tf.tensor(npy.data, [npy.data.length / per, ...inputShape]);
    return { x, dispose: () => x.dispose() };
  }
  throw new LumenError('option', `--data ${spec}: expected bundled:mnist[:N], bundled:groundtruth[:N] or an .npy file`);
}

/** What the evaluation can give metrics beyond the model and inputs. */
export interface EvaluationSupplies {
  readonly masks?: tf.Tensor;
  readonly labels?: ArrayLike<number>;
  readonly layersModel?: tf.LayersModel;
  readonly trainingSet?: () => TrainingSet;
}

/** The options a metric needs from the supplies, or what is missing. */
function metricSupplies(m: MetricInfo, s: EvaluationSupplies): MetricRunOptions | string {
  const out: Record<string, unknown> = {};
  for (const need of m.needs) {
    if (need === 'masks') {
      if (!s.masks) return 'ground-truth masks (use --data bundled:groundtruth:N)';
      out.masks = s.masks;
    } else if (need === 'randomizer') {
      if (!s.layersModel) return 'a tfjs Layers model whose weights can be randomised (a bundled model)';
      out.randomizer = layersModelRandomizer(s.layersModel);
    } else if (need === 'training') {
      if (!s.layersModel || !s.trainingSet || !s.labels) return 'a tfjs Layers model to retrain and a labelled training set (a bundled model with bundled data)';
      Object.assign(out, { layersModel: s.layersModel, train: s.trainingSet(), labels: s.labels });
    } else if (need === 'quadrants') {
      return 'mosaics of quadrants (use the library)';
    }
  }
  return out as MetricRunOptions;
}

/** Runs every metric for every method on the model and data, and ranks the methods. */
export async function evaluateMethods(
  model: Parameters<MetricInfo['run']>[0], x: tf.Tensor, methodIds: readonly string[], metricIds: readonly string[], seed = 0, log: (s: string) => void = () => {},
  supplies: EvaluationSupplies = {},
): Promise<Omit<Evaluation, 'model'>> {
  const metrics = metricIds.map(metricById);
  const extra = new Map<string, MetricRunOptions>();
  for (const m of metrics) {
    const got = metricSupplies(m, supplies);
    check(typeof got !== 'string', 'option', () => `lumen evaluate: metric '${m.id}' needs ${got as string}`);
    extra.set(m.id, got as MetricRunOptions);
  }
  const methods = methodIds.map((id) => localMethodById(id));
  const attributions = new Map<string, Attribution>();
  try {
    for (const m of methods) attributions.set(m.id, await m.run(model, x, { target: 'predicted', seed }));
    const rows = [];
    for (const metric of metrics) {
      const results: Omit<EvaluationScore, 'rank'>[] = [];
      for (const m of methods) {
        const t0 = performance.now();
        const subject = metric.needs.includes('method') || metric.needs.includes('training') ? m.id : (attributions.get(m.id) as Attribution);
        const r: MetricResult = await metric.run(model, x, subject, { target: 'predicted', seed, ...extra.get(metric.id) });
        const d = r.details as { fractions?: number[]; accuracy?: number[] } | undefined;
        const curve = d?.fractions && d.accuracy ? { curve: { fractions: d.fractions, accuracy: d.accuracy } } : {};
        results.push({ method: m.id, aggregate: r.aggregate, scores: r.scores, modelCalls: r.modelCalls, seconds: (performance.now() - t0) / 1000, ...curve });
        log(`${metric.id} · ${m.id}: ${r.aggregate.toPrecision(4)}`);
      }
      const rk = rankScores(results.map((r) => r.aggregate), metric.direction);
      rows.push({ id: metric.id, title: metric.title, category: metric.category, direction: metric.direction, results: results.map((r, i) => ({ ...r, rank: rk[i] })) });
    }
    const verdicts: Record<string, string> = {};
    for (const m of methods) verdicts[m.id] = verdict(m.id, rows, methods.length);
    return { examples: x.shape[0], methods: methodIds, metrics: rows, verdicts };
  } finally {
    for (const a of attributions.values()) a.dispose();
  }
}

/**
 * One line on a method: its mean rank, the metrics it wins and loses, and the categories where it
 * is strongest and weakest (mean rank per category).
 */
export function verdict(method: string, rows: Evaluation['metrics'], methods: number): string {
  const own = rows.map((row) => ({ row, rank: (row.results.find((r) => r.method === method) as EvaluationScore).rank }));
  const firsts = own.filter((o) => o.rank === 1).map((o) => o.row.id);
  const mean = own.reduce((s, o) => s + o.rank, 0) / Math.max(1, own.length);
  const worst = own.filter((o) => o.rank === methods && methods > 1).map((o) => o.row.id);
  const byCategory = new Map<string, number[]>();
  for (const o of own) byCategory.set(o.row.category, [...(byCategory.get(o.row.category) ?? []), o.rank]);
  const cats = [...byCategory].map(([c, r]) => ({ c, mean: r.reduce((a, b) => a + b, 0) / r.length })).sort((a, b) => a.mean - b.mean);
  const strengths = cats.length > 1 && methods > 1 && cats[0].mean < cats[cats.length - 1].mean ? `; strongest on ${cats[0].c}, weakest on ${cats[cats.length - 1].c}` : '';
  return `mean rank ${mean.toFixed(1)} of ${methods}; best on ${firsts.length}/${own.length}${firsts.length ? ` (${firsts.join(', ')})` : ''}${worst.length ? `; last on ${worst.join(', ')}` : ''}${strengths}`;
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
  const curves = e.metrics.flatMap((m) => m.results.filter((r) => r.curve).map((r) => ({
    svg: barChartSvg(r.curve!.fractions.map((f) => `${Math.round(100 * f)}%`), r.curve!.accuracy, { title: `${m.id} · ${r.method}` }),
    caption: `${m.title}: ${r.method}`,
    note: `accuracy of the retrained model per fraction of pixels ${m.id === 'kar' ? 'kept' : 'removed'}`,
  })));
  if (curves.length) sections.push({ title: 'Retraining curves', text: 'ROAR (top pixels removed) should drop fast for a faithful method; KAR (only the top pixels kept) should stay high.', figures: curves });
  return renderReport({ title: `Lumen evaluation of ${e.methods.join(', ')}`, intro: `Model ${e.model}, ${e.examples} examples.`, sections });
}

/** `lumen evaluate --model … --data … --methods a,b,c [--metrics …] [--json] [--out dir]`. */
export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('rank attribution methods on your model and data with evaluation metrics (faithfulness, robustness, randomisation, complexity, axioms)')
    .requiredOption('--model <spec>', 'bundled:mnist, bundled:penguins, a tfjs model directory or model.json')
    .option(...OUTPUT_KIND_FLAG)
    .option(...OUTPUT_NODE_FLAG)
    .option(...ENGINE_FLAG)
    .requiredOption('--data <spec>', `bundled:mnist[:N] (N held-out digits, default 16), bundled:groundtruth[:N] (benchmark images with masks), an .npy batch, or a dataset as lumen explain --data takes it (${DATASET_SPECS})`)
    .requiredOption('--methods <ids>', 'comma-separated method ids (see `lumen methods`)')
    .option('--metrics <ids>', `comma-separated metric ids (default ${DEFAULT_EVALUATION_METRICS.join(',')}; all: ${METRICS.map((m) => m.id).join(',')})`)
    .option('--seed <n>', 'seed of every random draw', '0')
    .option('--json', 'print every score as JSON')
    .option('--out <dir>', 'write index.html (table, charts, verdicts) and evaluation.json there')
    .action(async (opts: { model: string; data: string; methods: string; metrics?: string; seed: string; json?: boolean; out?: string } & ModelFlags) => {
      const seed = parseIntegerFlag('--seed', opts.seed);
      const split = (s: string): string[] => s.split(',').map((t) => t.trim()).filter(Boolean);
      const methodIds = split(opts.methods);
      check(methodIds.length > 0, 'option', () => `--methods: expected comma-separated method ids (see lumen methods); found '${opts.methods}'`);
      methodIds.forEach((id) => localMethodById(id));
      if (opts.metrics) split(opts.metrics).forEach((id) => metricById(id));
      if (opts.out) ensureWritableDir(opts.out, '--out');
      const specOptions = modelSpecOptions(opts);
      await withBackend(program);
      const loaded = await loadModelSpec(opts.model, specOptions);
      const builtIn = /^bundled:(mnist|groundtruth)(:|$)/.test(opts.data) || opts.data.toLowerCase().endsWith('.npy');
      const data: EvaluationData = builtIn ? loadEvaluationData(opts.data, loaded.model.inputShape) : await evaluationDataFromDataset(loadDatasetSpec(opts.data, loaded.model.inputShape), opts.data).catch((e: unknown) => {
        loaded.dispose();
        throw e;
      });
      const x = data.x;
      try {
        const log = opts.json ? () => {} : (s: string) => process.stderr.write(`${s}\n`);
        const metrics = opts.metrics ? split(opts.metrics) : [...DEFAULT_EVALUATION_METRICS, ...(data.masks ? DEFAULT_LOCALISATION_METRICS : [])];
        const supplies: EvaluationSupplies = { masks: data.masks, labels: data.labels, layersModel: loaded.layersModel, trainingSet: data.trainingSet };
        const result: Evaluation = { model: opts.model, ...(await evaluateMethods(loaded.model, x, methodIds, metrics, seed, log, supplies)) };
        if (opts.out) {
          await writeFileAtomic(path.join(opts.out, 'evaluation.json'), `${JSON.stringify(result, null, 2)}\n`);
          await writeFileAtomic(path.join(opts.out, 'index.html'), evaluationReport(result));
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
        data.dispose();
        loaded.dispose();
      }
    });
}
