/**
 * Example-based methods on the wave-2 fixture model (examples_tanh_mlp: 48 training rows, three
 * checkpoints) and on the bundled MNIST CNN (its dense layers, N held-out digits as the training
 * set), side by side with PyTorch on the same weights and rows (bench/torch_examples.py, Captum's
 * computation: per-row autograd.grad, Hessian of the summed loss), printing one JSON object: per
 * workload Lumen's and PyTorch's median time in ms, the ratio Lumen / PyTorch, and the largest
 * score difference relative to PyTorch's largest score.
 *
 *   npm run build && node dist/bench/examples.js [--reps 3] [--n 1000] [--no-torch] [--python /usr/bin/python3] [--torch-threads 2]
 *
 * Workloads: tracin-fixture (TracInCP, all 83 parameters, 3 checkpoints, 8 test rows), influence-fixture
 * (exact influence, 83 parameters, last checkpoint), tracin-mnist (TracInCP on dense1 + logits,
 * 8 test digits over N). Timings on a loaded machine are not benchmark figures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { snapshotCheckpoint, disposeCheckpoint, forEachCheckpoint, type Checkpoint } from '../src/core/checkpoint.js';
import { datasetFromTensors } from '../src/core/dataset.js';
import { bundledDataset } from '../src/data/dataset-files.js';
import { useBackend } from '../src/engine/backend.js';
import { influenceFunction } from '../src/examples/influence-function.js';
import { tracInCP, type InfluenceScores } from '../src/examples/tracin-cp.js';
import { loadBundledModel } from '../src/models/bundled.js';
import { fixtureTensor, loadFixture, type FixtureValue } from '../src/models/fixture.js';
import { fromLayersModel } from '../src/models/from-layers-model.js';
import { torchVersion } from './torch.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function time(reps: number, fn: () => Promise<InfluenceScores>): Promise<{ medianMs: number; times: number[]; scores: Float32Array }> {
  let scores = (await fn()).scores;
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    scores = (await fn()).scores;
    times.push(performance.now() - t0);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)], times, scores };
}

/** A tensor as the {shape, data} the Python side reads. */
async function plain(t: tf.Tensor): Promise<{ shape: number[]; data: number[] }> {
  return { shape: t.shape, data: Array.from(await t.data()) };
}

interface TorchLine {
  readonly workload: string;
  readonly median_ms: number;
  readonly times_ms: number[];
  readonly threads: number;
  readonly scores: number[];
}

function torchScript(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'torch_examples.py');
}

async function main(): Promise<void> {
  const backend = await useBackend();
  const reps = Number(flag('--reps', '3'));
  const n = Number(flag('--n', '1000'));
  const python = flag('--python', '/usr/bin/python3');
  const threads = Number(flag('--torch-threads', '2'));
  const torch = process.argv.includes('--no-torch') ? { version: null, reason: '--no-torch' } : torchVersion(python);
  const lumen: Record<string, { medianMs: number; times: number[]; scores: Float32Array }> = {};
  const spec: Record<string, unknown> = { hessian_reg: 1e-6, hessian_inverse_tol: 1e-5 };

  const fixturePath = 'test/fixtures/wave2/examples_tanh_mlp.json';
  const fx = loadFixture(fixturePath);
  const d = fx.json.dataset as unknown as { X_train: FixtureValue; y_train: number[]; X_test: FixtureValue; y_test: number[] };
  const ck = fx.json.checkpoints as unknown as { learning_rate: number; weights: unknown; weights_tfjs: Record<string, FixtureValue> }[];
  spec.fixture = { dataset: d, checkpoints: ck.map((c) => ({ learning_rate: c.learning_rate, weights: c.weights })) };
  const checkpoints: Checkpoint[] = ck.map((c) => ({
    learningRate: c.learning_rate,
    parameters: Object.fromEntries((fx.model.parameters ?? []).map((p) => [p.name, fixtureTensor(c.weights_tfjs[`${p.layer}.${p.role === 'bias' ? 'bias' : 'kernel'}`])])),
  }));
  const x = fixtureTensor(d.X_train);
  const y = tf.tensor1d(d.y_train, 'int32');
  const test = { x: fixtureTensor(d.X_test), y: tf.tensor1d(d.y_test, 'int32') };
  const train = datasetFromTensors(x, y);
  lumen['tracin-fixture'] = await time(reps, () => tracInCP(fx.model, train, test, { checkpoints, batchSize: 16 }));
  // Exact influence at the last checkpoint (the trained model).
  lumen['influence-fixture'] = (await forEachCheckpoint(fx.model, [checkpoints[2]], () => time(reps, () => influenceFunction(fx.model, train, test, { batchSize: 16, solver: 'exact' }))))[0];
  checkpoints.forEach(disposeCheckpoint);
  tf.dispose([x, y, test.x, test.y]);
  fx.dispose();

  const { model: layers } = await loadBundledModel('mnist');
  const mnist = fromLayersModel(layers);
  const data = bundledDataset('mnist', n);
  const queries = bundledDataset('mnist', 8);
  let qx: tf.Tensor | null = null;
  let qy: tf.Tensor | null = null;
  for await (const b of queries.batches(8)) [qx, qy] = [b.x, b.y ?? null];
  const q = { x: qx as unknown as tf.Tensor, y: qy as unknown as tf.Tensor };
  const dense = ['dense1', 'logits'];
  const ckpt = snapshotCheckpoint(mnist, 1);
  lumen['tracin-mnist'] = await time(reps, () => tracInCP(mnist, data, q, { checkpoints: [ckpt], layers: dense, batchSize: 64 }));
  if (torch.version) {
    const weights: Record<string, unknown> = {};
    for (const l of ['conv1', 'conv2', 'dense1', 'logits']) {
      const [k, b] = layers.getLayer(l).getWeights();
      weights[`${l}/kernel`] = await plain(k);
      weights[`${l}/bias`] = await plain(b);
    }
    const xs: number[] = [];
    const ys: number[] = [];
    for await (const b of data.batches(256)) {
      for (const v of await b.x.data()) xs.push(v);
      for (const v of await (b.y as tf.Tensor).data()) ys.push(v);
      tf.dispose([b.x, b.y as tf.Tensor]);
    }
    spec.mnist = { weights, x: xs, y: ys, qx: Array.from(await q.x.data()), qy: Array.from(await q.y.data()) };
  }
  disposeCheckpoint(ckpt);
  tf.dispose([q.x, q.y]);
  layers.dispose();

  let torchLines: TorchLine[] = [];
  let torchError: string | undefined;
  if (torch.version) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lumen-bench-examples-'));
    try {
      const file = path.join(dir, 'spec.json');
      writeFileSync(file, JSON.stringify(spec));
      const r = spawnSync(python, [torchScript(), file, '--reps', String(reps), '--threads', String(threads)], { encoding: 'utf8', maxBuffer: 1 << 28 });
      if (r.status === 0) torchLines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as TorchLine);
      else torchError = `exit ${r.status}: ${(r.stderr || '').trim().split('\n').slice(-2).join(' | ')}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const results = Object.entries(lumen).map(([workload, l]) => {
    const t = torchLines.find((line) => line.workload === workload);
    const maxRef = t ? Math.max(...t.scores.map(Math.abs)) : 0;
    const maxDiff = t ? Math.max(...t.scores.map((v, i) => Math.abs(v - l.scores[i]))) : 0;
    return {
      workload,
      lumenMs: l.medianMs,
      times: l.times,
      ...(t ? { torchMs: t.median_ms, torchTimes: t.times_ms, ratio: l.medianMs / t.median_ms, maxScoreDiffOverMaxRef: maxDiff / maxRef, scoreCount: t.scores.length } : {}),
    };
  });
  process.stdout.write(`${JSON.stringify({
    machine: { cpus: os.cpus().length, node: process.version, backend, loadAverage: os.loadavg(), torch: torch.version ?? `none (${torch.reason})`, torchThreads: threads, ...(torchError ? { torchError } : {}) },
    reps,
    n,
    results,
  }, null, 2)}\n`);
}

try {
  await main();
} catch (e) {
  process.stderr.write(`bench/examples: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
}
