/**
 * Example-based methods on the wave-2 fixture model (examples_tanh_mlp: 48 training rows, three
 * checkpoints) and on the bundled MNIST CNN (its dense layers, N held-out digits as the training
 * set), printing JSON: each workload's median time in ms and its repetitions.
 *
 *   npm run build && node dist/bench/examples.js [--reps 3] [--n 1000]
 *
 * Workloads: tracin-fixture (TracInCP, all parameters, 3 checkpoints, 8 test rows), influence-fixture
 * (exact influence, 83 parameters), tracin-mnist (TracInCP on the dense layers, 8 test digits over N).
 * Exact influence on MNIST's logits layer (1,290 parameters: 1,290 Hessian-vector products over N)
 * is not timed here yet, nor the PyTorch comparison (Captum on the same weights).
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { snapshotCheckpoint, disposeCheckpoint, type Checkpoint } from '../src/core/checkpoint.js';
import { datasetFromTensors } from '../src/core/dataset.js';
import { bundledDataset } from '../src/data/dataset-files.js';
import { useBackend } from '../src/engine/backend.js';
import { influenceFunction } from '../src/examples/influence-function.js';
import { tracInCP } from '../src/examples/tracin-cp.js';
import { loadBundledModel } from '../src/models/bundled.js';
import { fixtureTensor, loadFixture, type FixtureValue } from '../src/models/fixture.js';
import { fromLayersModel } from '../src/models/from-layers-model.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function time(reps: number, fn: () => Promise<unknown>): Promise<{ medianMs: number; times: number[] }> {
  await fn();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)], times };
}

async function main(): Promise<void> {
  const backend = await useBackend();
  const reps = flag('--reps', 3);
  const n = flag('--n', 1000);
  const results: Record<string, unknown>[] = [];

  const fx = loadFixture('test/fixtures/wave2/examples_tanh_mlp.json');
  const d = fx.json.dataset as { X_train: FixtureValue; y_train: number[]; X_test: FixtureValue; y_test: number[] };
  const ck = fx.json.checkpoints as { learning_rate: number; weights_tfjs: Record<string, FixtureValue> }[];
  const checkpoints: Checkpoint[] = ck.map((c) => ({
    learningRate: c.learning_rate,
    parameters: Object.fromEntries((fx.model.parameters ?? []).map((p) => [p.name, fixtureTensor(c.weights_tfjs[`${p.layer}.${p.role === 'bias' ? 'bias' : 'kernel'}`])])),
  }));
  const x = fixtureTensor(d.X_train);
  const y = tf.tensor1d(d.y_train, 'int32');
  const test = { x: fixtureTensor(d.X_test), y: tf.tensor1d(d.y_test, 'int32') };
  const train = datasetFromTensors(x, y);
  results.push({ workload: 'tracin-fixture', reps, ...(await time(reps, () => tracInCP(fx.model, train, test, { checkpoints, batchSize: 16 }))) });
  results.push({ workload: 'influence-fixture', reps, ...(await time(reps, () => influenceFunction(fx.model, train, test, { batchSize: 16 }))) });
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
  const dense = [...new Set((mnist.parameters ?? []).filter((p) => p.role === 'kernel').map((p) => p.layer))];
  const ckpt = snapshotCheckpoint(mnist, 1);
  results.push({ workload: 'tracin-mnist', layers: dense, n, reps, ...(await time(reps, () => tracInCP(mnist, data, q, { checkpoints: [ckpt], layers: dense, batchSize: 64 }))) });
  disposeCheckpoint(ckpt);
  tf.dispose([q.x, q.y]);
  layers.dispose();
  process.stdout.write(`${JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version, backend, loadAverage: os.loadavg() }, results }, null, 2)}\n`);
}

await main();
