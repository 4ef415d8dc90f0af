/**
 * Partial dependence / ICE benchmark: `partialDependence` (kind 'both') of one feature on 1,000
 * rows × 50 grid points (50,000 model rows, batches of 4,096) through a seeded Dense(6→64)–ReLU–
 * Dense(64→64)–ReLU–Dense(64→3) MLP on tfjs-wasm, and, when `/usr/bin/python3` has scikit-learn
 * and PyTorch, scikit-learn's `partial_dependence(method='brute', kind='both')` on the same
 * weights in PyTorch (bench/torch_partial_dependence.py, run after Lumen's timings, never at the
 * same time). Prints JSON: median seconds of each, the ratio Lumen / scikit-learn, and the largest
 * difference between the two PD curves.
 *
 *   npm run build && node dist/bench/partial-dependence.js [--reps 5] [--no-torch]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { datasetFromArrays } from '../src/core/dataset.js';
import { Rng } from '../src/core/random.js';
import { useBackend } from '../src/engine/backend.js';
import { partialDependence } from '../src/global/partial-dependence.js';
import { fromLayersModel } from '../src/models/from-layers-model.js';
import { median } from './workloads.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const reps = Number(arg('reps', '5'));
const engine = arg('engine', 'auto') as 'auto' | 'tfjs';
const ROWS = 1000;
const GRID = 50;
const SIZES = [6, 64, 64, 3];

await useBackend();
const rng = new Rng(7);
const weights = SIZES.slice(1).map((out, l) => ({ kernel: Array.from(rng.normals(SIZES[l] * out, 0, 1 / Math.sqrt(SIZES[l]))), bias: Array.from(rng.normals(out, 0, 0.1)), in: SIZES[l], out }));
const layers = tf.sequential();
weights.forEach((w, l) => layers.add(tf.layers.dense({ units: w.out, inputShape: l === 0 ? [w.in] : undefined, activation: l < weights.length - 1 ? 'relu' : 'linear', weights: [tf.tensor2d(w.kernel, [w.in, w.out]), tf.tensor1d(w.bias)] })));
const model = fromLayersModel(layers);
const rows = Array.from({ length: ROWS }, () => Array.from(rng.normals(SIZES[0])));
const data = datasetFromArrays(rows);

const times: number[] = [];
let average: readonly number[] = [];
for (let r = 0; r <= reps; r++) {
  const t0 = performance.now();
  const pd = await partialDependence(model, data, { features: [0], kind: 'both', gridResolution: GRID, response: 'probabilities', engine });
  if (r > 0) times.push((performance.now() - t0) / 1000);
  average = pd.average ?? [];
}
const result: Record<string, unknown> = { workload: `partial dependence + ICE, ${ROWS} rows × ${GRID} grid points, MLP ${SIZES.join('-')}`, lumenSeconds: median(times), lumenTimes: times, reps, backend: tf.getBackend() };

if (!process.argv.includes('--no-torch')) {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-pd-'));
  const file = path.join(dir, 'workload.json');
  writeFileSync(file, JSON.stringify({ weights, rows, grid: GRID, reps }));
  const run = spawnSync('/usr/bin/python3', [path.join(root, 'bench', 'torch_partial_dependence.py'), file], { encoding: 'utf8' });
  if (run.status === 0) {
    const torch = JSON.parse(run.stdout) as { seconds: number; times: number[]; average: number[] };
    result.sklearnSeconds = torch.seconds;
    result.sklearnTimes = torch.times;
    result.ratio = (result.lumenSeconds as number) / torch.seconds;
    result.maxAbsDifference = average.reduce((m, v, i) => Math.max(m, Math.abs(v - torch.average[i])), 0);
  } else result.sklearn = `not run: ${(run.stderr || run.error?.message || '').trim().split('\n').pop()}`;
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
layers.dispose();
