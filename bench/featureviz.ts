/**
 * Feature-visualisation benchmark (issue 13): `featureVisualization` of one channel of the bundled
 * MNIST CNN (relu2, channel 3 by default) for 512 Adam steps with Lucid's defaults (Fourier basis,
 * sigmoid, the standard transforms at Lumen's 28-px sizes, lr 0.05) on tfjs-wasm, and — when
 * `/usr/bin/python3` has PyTorch — the same loop on the same weights in PyTorch
 * (bench/torch_featureviz.py), run after Lumen's reps, never at the same time. Prints one JSON
 * object: median milliseconds of each, the ratio Lumen / PyTorch, and both objectives' start and
 * end values (each must rise).
 *
 *   npm run build && node dist/bench/featureviz.js [--steps 512] [--reps 3] [--channel 3] [--no-torch]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src/engine/backend.js';
import { featureVisualization } from '../src/featureviz/feature-visualization.js';
import { channelObjective } from '../src/featureviz/objective.js';
import { scaledTransforms } from '../src/featureviz/transforms.js';
import { loadModelSpec } from '../src/cli/load-model.js';
import { median } from './workloads.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const steps = Number(arg('steps', '512'));
const reps = Number(arg('reps', '3'));
const channel = Number(arg('channel', '3'));
const python = arg('python', '/usr/bin/python3');
const LAYER = 'relu2';

await useBackend();
const loaded = await loadModelSpec('bundled:mnist');
const { model } = loaded;
const objective = channelObjective(LAYER, channel);
const times: number[] = [];
let values: readonly (readonly [number, number])[] = [];
for (let r = 0; r <= reps; r++) {
  const t0 = performance.now();
  const v = await featureVisualization(model, objective, { steps, seed: r });
  if (r > 0) times.push(performance.now() - t0);
  values = v.values;
  v.dispose();
}
const result: Record<string, unknown> = {
  workload: `feature visualisation, ${steps} Adam steps, channel ${LAYER}:${channel} of the bundled MNIST CNN (Fourier, sigmoid, Lucid transforms at 28 px)`,
  lumenMs: median(times),
  lumenTimes: times,
  lumenStart: values[0][1],
  lumenEnd: values[values.length - 1][1],
  reps,
  backend: tf.getBackend(),
};

if (!process.argv.includes('--no-torch')) {
  const weights: Record<string, { shape: number[]; values: number[] }> = {};
  for (const layer of loaded.layersModel?.layers ?? []) {
    for (const w of layer.weights) weights[`${layer.name}/${w.name.split('/').pop()?.replace(/_\d+$/, '')}`] = { shape: w.shape as number[], values: Array.from(w.read().dataSync()) };
  }
  const t = scaledTransforms(28, 28);
  // A probe input and Lumen's logits on it: the reference checks it runs the same function.
  const probeT = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
  const logitsT = tf.tidy(() => model.run(probeT).output);
  const probe = Array.from(probeT.dataSync());
  const probeLogits = Array.from(logitsT.dataSync());
  tf.dispose([probeT, logitsT]);
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-featureviz-'));
  const file = path.join(dir, 'workload.json');
  writeFileSync(file, JSON.stringify({ weights, channel, steps, reps, learningRate: 0.05, threads: 2, transforms: t, probe, probeLogits }));
  const run = spawnSync(python, [path.join(root, 'bench', 'torch_featureviz.py'), file], { encoding: 'utf8' });
  if (run.status === 0) {
    const torch = JSON.parse(run.stdout) as { median_ms: number; times_ms: number[]; start: number; end: number; threads: number; probe_max_diff: number };
    Object.assign(result, { torchMs: torch.median_ms, torchTimes: torch.times_ms, torchStart: torch.start, torchEnd: torch.end, torchThreads: torch.threads, sameFunctionMaxDiff: torch.probe_max_diff, ratio: (result.lumenMs as number) / torch.median_ms });
  } else {
    result.torch = `not run: ${(run.stderr || String(run.error ?? '')).trim().split('\n').pop()}`;
  }
}
loaded.dispose();
result.tensorsLeft = tf.memory().numTensors;
process.stdout.write(`${JSON.stringify(result)}\n`);
