/**
 * LRP on the bundled MNIST CNN (models/mnist) and the 96×96 MobileNet-sized CNN (bench/models.ts),
 * each timed as a ratio to a plain gradient (signed saliency) of the same inputs, same model,
 * same batch:
 *
 *   npm run build && node dist/bench/lrp.js [--reps 5] [--n 32] [--n-mobilenet 8] [--models mnist,mobilenet96] [--json]
 *
 * Workloads (one model call of N rows each; target = the digit's label, 281 for mobilenet96):
 *   grad                 saliency (signed) — the unit of the ratios
 *   lrp-epsilon          lrp, rule 'epsilon' on every dense/conv layer (ε = 1e-6)
 *   lrp-captum           lrp with Captum's default rules (ε = 1e-9 also on pooling and batch norm)
 *   lrp-epsilon-plus     lrp, composite 'epsilon-plus' (z⁺ on convolutions: 2 modified passes each)
 *   lrp-epsilon-gamma-box  composite 'epsilon-gamma-box' (γ: 5 passes per conv; zᴮ first)
 *   + '-canonized' variants on mobilenet96 (batch norms merged first)
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { lrp, type LrpOptions } from '../src/attribution/propagation/lrp/lrp.js';
import { saliency } from '../src/attribution/gradient/saliency.js';
import type { Attribution } from '../src/core/attribution.js';
import type { Model } from '../src/core/model.js';
import { loadMnist, mnistBatch, mnistLabels } from '../src/data/mnist.js';
import { useBackend } from '../src/engine/backend.js';
import { loadBundledModel } from '../src/models/bundled.js';
import { fromLayersModel } from '../src/models/from-layers-model.js';
import { buildModel, SPECS } from './models.js';
import { timeWorkload } from './workloads.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const reps = Number(arg('reps', '5'));
const nMnist = Number(arg('n', '32'));
const nMobile = Number(arg('n-mobilenet', '8'));
const models = arg('models', 'mnist,mobilenet96').split(',');
const json = process.argv.includes('--json');
const backend = await useBackend();

const read = async (p: Promise<Attribution>): Promise<void> => {
  const a = await p;
  await a.values.data();
  a.dispose();
};

interface Row { model: string; n: number; workload: string; ms: number; ratio: number; tensorGrowth: number }
const rows: Row[] = [];

async function bench(name: string, model: Model, x: tf.Tensor, target: number | number[], bn: boolean): Promise<void> {
  const n = x.shape[0];
  const variants: [string, LrpOptions][] = [
    ['lrp-epsilon', { rule: 'epsilon' }],
    ['lrp-captum', {}],
    ['lrp-epsilon-plus', { composite: 'epsilon-plus' }],
    ['lrp-epsilon-gamma-box', { composite: 'epsilon-gamma-box', low: 0, high: 1 }],
    ...(bn ? ([['lrp-epsilon-canonized', { rule: 'epsilon', canonize: true }], ['lrp-epsilon-plus-canonized', { composite: 'epsilon-plus', canonize: true }]] as [string, LrpOptions][]) : []),
  ];
  const workloads: [string, () => Promise<void>][] = [
    ['grad', () => read(saliency(model, x, { target, mode: 'signed', batchSize: n }))],
    ...variants.map(([w, o]): [string, () => Promise<void>] => [w, () => read(lrp(model, x, { ...o, target, batchSize: n }))]),
  ];
  let unit = NaN;
  for (const [workload, fn] of workloads) {
    const t = await timeWorkload(fn, reps);
    if (workload === 'grad') unit = t.medianMs;
    rows.push({ model: name, n, workload, ms: t.medianMs, ratio: t.medianMs / unit, tensorGrowth: t.tensorGrowth });
    if (!json) console.error(`${name} ${workload}: ${t.medianMs.toFixed(1)} ms`);
  }
}

if (models.includes('mnist')) {
  const { model: layers } = await loadBundledModel('mnist');
  const data = loadMnist();
  const indices = Array.from({ length: nMnist }, (_, i) => data.labels.length - 1 - i);
  const x = mnistBatch(data, indices);
  await bench('mnist (bundled)', fromLayersModel(layers), x, Array.from(mnistLabels(data, indices)), false);
  x.dispose();
  layers.dispose();
}
if (models.includes('mobilenet96')) {
  const layers = buildModel('mobilenet96');
  const spec = SPECS.mobilenet96;
  const x = tf.randomUniform([nMobile, ...spec.inputShape], 0, 1, 'float32', 11);
  await bench('mobilenet96', fromLayersModel(layers), x, spec.target, true);
  x.dispose();
  layers.dispose();
}

if (json) {
  console.log(JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version, backend, loadAverage: os.loadavg() }, reps, results: rows }));
} else {
  console.log(`LRP vs gradient, ${backend}, median of ${reps} (load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  console.log('model             N   workload                      ms   × gradient  tensors');
  for (const r of rows) console.log(`${r.model.padEnd(16)} ${String(r.n).padStart(3)}   ${r.workload.padEnd(26)} ${r.ms.toFixed(1).padStart(8)}  ${r.ratio.toFixed(2).padStart(8)}×  ${r.tensorGrowth === 0 ? 'no growth' : `+${r.tensorGrowth}`}`);
}
