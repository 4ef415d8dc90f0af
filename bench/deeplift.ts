/**
 * DeepLIFT timed as a ratio to a plain gradient (signed saliency) of the same inputs, on the same
 * model, in the same batch:
 *
 *   npm run build && node dist/bench/deeplift.js [--reps 5] [--models mnist,bench-mnist,mobilenet96] [--n 32] [--json]
 *
 * Models: `mnist` is the bundled MNIST CNN (models/mnist: conv 8 → pool → conv 16 → pool → dense
 * 64 → 10) on its last N digits with their labels as targets; `mobilenet96` is bench/models.ts'
 * MobileNet v1 at 96×96 (BN, ReLU6, depthwise-separable blocks) on N uniform inputs, target 281.
 * `bench-mnist` is bench/models.ts' larger MNIST CNN (conv 32 → conv 64 → pool → dense 128 → 10) on
 * N uniform inputs, target 3. N defaults to 32 for the MNIST CNNs and 8 for mobilenet96. Workloads, each one model call of N rows:
 *   grad                saliency (signed): the unit of the ratios
 *   deeplift            deepLift, zero baseline (one shared reference row), rescale
 *   deeplift-rc         deepLift, zero baseline, reveal-cancel (dense layers)
 *   deeplift-blur       deepLift with a per-example 'blur' baseline (N reference rows)
 *   deeplift-shap4      deepLiftShap with 4 baselines shared by the N examples (4N pairs, batches of N)
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { saliency } from '../src/attribution/gradient/saliency.js';
import { deepLift } from '../src/attribution/propagation/deep-lift.js';
import { deepLiftShap } from '../src/attribution/propagation/deep-lift-shap.js';
import type { Attribution } from '../src/core/attribution.js';
import type { Model } from '../src/core/model.js';
import { loadMnist, mnistBatch, mnistLabels } from '../src/data/mnist.js';
import { useBackend } from '../src/engine/backend.js';
import { loadBundledModel } from '../src/models/bundled.js';
import { fromLayersModel } from '../src/models/from-layers-model.js';
import { buildModel, SPECS } from './models.js';
import { median } from './workloads.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const reps = Number(arg('reps') ?? 5);
const models = (arg('models') ?? 'mnist,bench-mnist,mobilenet96').split(',');
const json = process.argv.includes('--json');

interface Row {
  model: string;
  n: number;
  workload: string;
  ms: number;
  ratio: number;
  /** tf.memory().numTensors growth over all timed repetitions of the model's workloads. */
  tensorGrowth: number;
}

async function read(p: Promise<Attribution>): Promise<void> {
  const a = await p;
  await a.values.data();
  a.dispose();
}

async function setup(name: string): Promise<{ model: Model; x: tf.Tensor; target: number | number[]; n: number; dispose(): void }> {
  if (name === 'mnist') {
    const n = Number(arg('n') ?? 32);
    const { model: layers } = await loadBundledModel('mnist');
    const data = loadMnist();
    const indices = Array.from({ length: n }, (_, i) => data.labels.length - 1 - i);
    const x = mnistBatch(data, indices);
    return { model: fromLayersModel(layers), x, target: Array.from(mnistLabels(data, indices)), n, dispose: () => (x.dispose(), layers.dispose()) };
  }
  if (name === 'mobilenet96' || name === 'bench-mnist') {
    const kind = name === 'bench-mnist' ? 'mnist' : 'mobilenet96';
    const n = Number(arg('n') ?? (kind === 'mnist' ? 32 : 8));
    const layers = buildModel(kind);
    const x = tf.randomUniform([n, ...SPECS[kind].inputShape], 0, 1, 'float32', 11);
    return { model: fromLayersModel(layers), x, target: SPECS[kind].target, n, dispose: () => (x.dispose(), layers.dispose()) };
  }
  throw new Error(`unknown model '${name}' (mnist, bench-mnist, mobilenet96)`);
}

const backend = await useBackend();
const rows: Row[] = [];
for (const name of models) {
  const { model, x, target, n, dispose } = await setup(name);
  const batchSize = n;
  const workloads: Record<string, () => Promise<void>> = {
    grad: () => read(saliency(model, x, { target, mode: 'signed', batchSize })),
    deeplift: () => read(deepLift(model, x, { target, batchSize })),
    'deeplift-rc': () => read(deepLift(model, x, { target, batchSize, rule: 'reveal-cancel' })),
    'deeplift-blur': () => read(deepLift(model, x, { target, batchSize, baseline: 'blur' })),
    'deeplift-shap4': () => read(deepLiftShap(model, x, { target, batchSize, baselines: 'uniform', samples: 4, seed: 1 })),
  };
  // Interleaved: every repetition runs each workload once, so that a machine whose load drifts
  // (other jobs) slows all workloads alike; the median of each is reported.
  const names = Object.keys(workloads);
  const times = new Map<string, number[]>(names.map((w) => [w, []]));
  for (const w of names) await workloads[w]();
  const before = tf.memory().numTensors;
  for (let r = 0; r < reps; r++) {
    for (const w of names) {
      const t0 = performance.now();
      await workloads[w]();
      (times.get(w) as number[]).push(performance.now() - t0);
    }
  }
  const growth = tf.memory().numTensors - before;
  const unit = median(times.get('grad') as number[]);
  for (const w of names) {
    const ms = median(times.get(w) as number[]);
    rows.push({ model: name, n, workload: w, ms, ratio: ms / unit, tensorGrowth: growth });
    if (!json) process.stderr.write(`${name} ${w}: ${ms.toFixed(1)} ms\n`);
  }
  dispose();
}
if (json) {
  console.log(JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version, backend, loadAverage: os.loadavg() }, reps, results: rows }));
} else {
  console.log(`${backend}, median of ${reps} (load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  console.log('model        N   workload          ms      × gradient  tensors');
  for (const r of rows) {
    console.log(`${r.model.padEnd(12)} ${String(r.n).padStart(2)}  ${r.workload.padEnd(15)} ${r.ms.toFixed(1).padStart(8)}  ${r.ratio.toFixed(2).padStart(8)}×  ${r.tensorGrowth === 0 ? 'no growth' : `+${r.tensorGrowth}`}`);
  }
}
