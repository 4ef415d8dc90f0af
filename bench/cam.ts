/**
 * Class activation maps and conductance on the bundled MNIST CNN (models/mnist), each timed as a
 * ratio to a plain gradient (signed saliency) of the same inputs on the same model:
 *
 *   npm run build && node dist/bench/cam.js [--reps 5] [--n 32] [--json]
 *
 * Workloads on N held-out digits (default 32), target = each digit's label, batchSize N:
 *   grad         saliency (signed): one gradient call of N rows — the unit of the ratios
 *   grad-cam     gradCam at the last feature map (pool2, 4×4×16), bilinear upsampling
 *   grad-cam++   gradCamPlusPlus, same layer
 *   layer-cam    layerCam, same layer
 *   score-cam    scoreCam, same layer: N·16 masked copies, forward only, in batches of N
 *   score-cam-b128  the same with batchSize 128
 *   conductance  layerConductance at relu3, 20 steps (N·22 rows)
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { gradCam } from '../src/attribution/cam/grad-cam.js';
import { gradCamPlusPlus } from '../src/attribution/cam/grad-cam-plus-plus.js';
import { layerCam } from '../src/attribution/cam/layer-cam.js';
import { scoreCam } from '../src/attribution/cam/score-cam.js';
import { saliency } from '../src/attribution/gradient/saliency.js';
import { layerConductance } from '../src/attribution/layer/layer-conductance.js';
import type { Attribution } from '../src/core/attribution.js';
import { loadMnist, mnistBatch, mnistLabels } from '../src/data/mnist.js';
import { useBackend } from '../src/engine/backend.js';
import { loadBundledModel } from '../src/models/bundled.js';
import { fromLayersModel } from '../src/models/from-layers-model.js';
import { timeWorkload } from './workloads.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const reps = arg('reps', 5);
const n = arg('n', 32);
const json = process.argv.includes('--json');

const backend = await useBackend();
const { model: layers } = await loadBundledModel('mnist');
const model = fromLayersModel(layers);
const data = loadMnist();
const indices = Array.from({ length: n }, (_, i) => data.labels.length - 1 - i);
const x = mnistBatch(data, indices);
const target = Array.from(mnistLabels(data, indices));

const read = async (p: Promise<Attribution>): Promise<void> => {
  const a = await p;
  await a.values.data();
  a.dispose();
};
const workloads: Record<string, () => Promise<void>> = {
  grad: () => read(saliency(model, x, { target, mode: 'signed', batchSize: n })),
  'grad-cam': () => read(gradCam(model, x, { target, batchSize: n })),
  'grad-cam++': () => read(gradCamPlusPlus(model, x, { target, batchSize: n })),
  'layer-cam': () => read(layerCam(model, x, { target, batchSize: n })),
  'score-cam': () => read(scoreCam(model, x, { target, batchSize: n })),
  'score-cam-b128': () => read(scoreCam(model, x, { target, batchSize: 128 })),
  conductance: () => read(layerConductance(model, x, { target, layer: 'relu3', steps: 20, batchSize: n })),
};

const results: { workload: string; ms: number; ratio: number; tensorGrowth: number }[] = [];
let unit = NaN;
for (const [name, fn] of Object.entries(workloads)) {
  const t = await timeWorkload(fn, reps);
  if (name === 'grad') unit = t.medianMs;
  results.push({ workload: name, ms: t.medianMs, ratio: t.medianMs / unit, tensorGrowth: t.tensorGrowth });
}
if (json) {
  console.log(JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version, backend, loadAverage: os.loadavg() }, n, reps, results }));
} else {
  console.log(`bundled mnist, ${n} digits, ${backend}, median of ${reps} (load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  console.log('workload          ms      × gradient  tensors');
  for (const r of results) console.log(`${r.workload.padEnd(15)} ${r.ms.toFixed(1).padStart(8)}  ${r.ratio.toFixed(2).padStart(8)}×  ${r.tensorGrowth === 0 ? 'no growth' : `+${r.tensorGrowth}`}`);
}
tf.dispose([x]);
layers.dispose();
