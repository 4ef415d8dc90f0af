import path from 'node:path';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import { loadMnist, mnistBatch, mnistLabels, mnistSplit } from '../data/mnist.js';
import { groundTruthData, groundTruthTensor } from '../metrics/benchmark/ground-truth-data.js';
import type { TrainingSet } from '../metrics/retraining.js';
import { readNpy } from '../data/npy.js';
import { ensureWritableDir, writeFileAtomic } from '../data/io.js';
import { parseIntegerFlag } from './parse-number.js';
import { localMethodById } from '../methods.js';
import { METRICS, metricById } from '../metrics/registry.js';
import { evaluateMethods, type Evaluation, type EvaluationSupplies } from '../metrics/evaluate-methods.js';
import { barChartSvg } from '../render/bar-chart.js';
import { renderReport, type ReportSection } from '../render/html-report.js';
import { withBackend } from './context.js';
import { modelSpecOptions, type ModelFlags, OUTPUT_KIND_FLAG, OUTPUT_NODE_FLAG, ENGINE_FLAG } from './model-flags.js';
import { loadModelSpec } from './load-model.js';
import { formatTable } from './table.js';
import { DATASET_SPECS, loadDatasetSpec } from './dataset-spec.js';
import { evaluationDataFromDataset, MAX_EVALUATION_ROWS } from './evaluation-dataset.js';
import { runEvaluationJobFlags } from './evaluate-job.js';
import { DEFAULT_SHARD_SIZE } from '../jobs/shard-plan.js';

/** Metrics run when `--metrics` is not given: one or two per category that need only the model and data. */
export const DEFAULT_EVALUATION_METRICS = ['deletion', 'insertion', 'faithfulness-correlation', 'infidelity', 'max-sensitivity', 'random-logit', 'sparseness', 'complexity'];

/** Added to the defaults when the data has ground-truth masks (bundled:groundtruth). */
export const DEFAULT_LOCALISATION_METRICS = ['pointing-game', 'relevance-mass-accuracy'];

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

/** The flags of `lumen evaluate`, as commander gives them. */
export interface EvaluateFlags {
  readonly model: string;
  readonly data: string;
  readonly methods: string;
  readonly metrics?: string;
  readonly seed: string;
  readonly json?: boolean;
  readonly out?: string;
  readonly labelColumn?: string;
  readonly shardSize?: string;
  readonly shard?: string;
  readonly resume?: boolean;
  readonly redis?: string;
  readonly queue?: string;
}

/** Writes evaluation.json and index.html to `--out` (atomically) and prints the ranking table and verdicts, or the JSON. */
async function printEvaluation(result: Evaluation, opts: Pick<EvaluateFlags, 'json' | 'out'>): Promise<void> {
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
    .option('--out <dir>', 'write index.html (table, charts, verdicts) and evaluation.json there (with job flags: also the job\'s shards)')
    .option('--label-column <name>', '--data tables: the column holding each row\'s class')
    .option('--shard-size <n>', `evaluate --data as a job written by shard to --out (rows per shard, default ${DEFAULT_SHARD_SIZE}); needed above ${MAX_EVALUATION_ROWS} rows`)
    .option('--shard <k/n>', 'job: run only slice k of n (shards k−1 mod n); the job is merged when every slice is done')
    .option('--resume', 'job: skip the shards already finished in --out (a rerun after a kill); merges the evaluation once every shard is done')
    .option('--redis <url>', 'job: enqueue the shards on BullMQ for lumen worker processes (Redis URL) instead of running them here')
    .option('--queue <name>', 'job: the BullMQ queue name with --redis', 'lumen')
    .action(async (opts: EvaluateFlags & ModelFlags) => {
      const seed = parseIntegerFlag('--seed', opts.seed);
      const split = (s: string): string[] => s.split(',').map((t) => t.trim()).filter(Boolean);
      const methodIds = split(opts.methods);
      check(methodIds.length > 0, 'option', () => `--methods: expected comma-separated method ids (see lumen methods); found '${opts.methods}'`);
      methodIds.forEach((id) => localMethodById(id));
      if (opts.metrics) split(opts.metrics).forEach((id) => metricById(id));
      if (opts.out) ensureWritableDir(opts.out, '--out');
      const asJob = opts.shardSize !== undefined || opts.shard !== undefined || opts.resume === true || opts.redis !== undefined;
      if (asJob) {
        const result = await runEvaluationJobFlags(program, opts, methodIds, opts.metrics ? split(opts.metrics) : DEFAULT_EVALUATION_METRICS, seed);
        if (result) await printEvaluation(result, opts);
        return;
      }
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
        await printEvaluation(result, opts);
      } finally {
        data.dispose();
        loaded.dispose();
      }
    });
}
