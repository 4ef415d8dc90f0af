/**
 * Example-based methods on the wave-2 fixture model (examples_tanh_mlp: 48 training rows, three
 * checkpoints) and on the bundled MNIST CNN (N held-out digits as the training set), side by side
 * with PyTorch on the same weights and rows (bench/torch_examples.py --serve, Captum's
 * computation: per-row autograd.grad, Hessian of the summed loss). Repetitions are interleaved
 * (Lumen, PyTorch, Lumen, …) and the foreign load of each workload is recorded; a workload whose
 * foreign load exceeds 0.2 core is marked invalid (bench/interleaved.ts). Prints one JSON object:
 * per workload both medians, the ratio Lumen / PyTorch, and the largest score difference relative
 * to PyTorch's largest score.
 *
 *   npm run build && node dist/bench/examples.js [--reps 5] [--n 1000] [--no-torch] [--python /usr/bin/python3] [--torch-threads 2] [--workloads a,b]
 *
 * Workloads: tracin-fixture (TracInCP, all 83 parameters, 3 checkpoints, 8 test rows),
 * influence-fixture (exact influence, 83 parameters, last checkpoint), tracin-mnist (TracInCP on
 * dense1 + logits, 8 test digits over N), influence-mnist (exact influence on the logits layer,
 * 650 parameters, 8 test digits over N).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
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
import { recordLoad, type LoadRecord } from './interleaved.js';
import { torchVersion } from './torch.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** A tensor as the {shape, data} the Python side reads. */
async function plain(t: tf.Tensor): Promise<{ shape: number[]; data: number[] }> {
  return { shape: t.shape, data: Array.from(await t.data()) };
}

/** bench/torch_examples.py --serve: one rep per request. */
class TorchExamples {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly child: ReturnType<typeof spawn>) {
    this.lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  }

  static async start(python: string, spec: string, threads: number): Promise<TorchExamples> {
    const child = spawn(python, [torchScript(), spec, '--serve', '--threads', String(threads)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const t = new TorchExamples(child);
    await t.next();
    return t;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  async run(workload: string, withScores = false): Promise<{ ms: number; scores?: number[] }> {
    this.child.stdin?.write(`${workload}${withScores ? ' scores' : ''}\n`);
    return (await this.next()) as { ms: number; scores?: number[] };
  }

  async stop(): Promise<void> {
    this.child.stdin?.end('\n');
    await new Promise((resolve) => this.child.once('close', resolve));
  }

  private async next(): Promise<unknown> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error('bench: torch_examples.py --serve ended early');
    return JSON.parse(value) as unknown;
  }
}

function median(v: readonly number[]): number {
  const sorted = [...v].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function torchScript(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'torch_examples.py');
}

async function main(): Promise<void> {
  const backend = await useBackend();
  const reps = Number(flag('--reps', '5'));
  const n = Number(flag('--n', '1000'));
  const python = flag('--python', '/usr/bin/python3');
  const threads = Number(flag('--torch-threads', '2'));
  const torch = process.argv.includes('--no-torch') ? { version: null, reason: '--no-torch' } : torchVersion(python);
  const lumen: Record<string, () => Promise<InfluenceScores>> = {};
  const spec: Record<string, unknown> = { hessian_reg: 1e-6, hessian_inverse_tol: 1e-5 };
  const cleanup: (() => void)[] = [];

  const fx = loadFixture('test/fixtures/wave2/examples_tanh_mlp.json');
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
  lumen['tracin-fixture'] = () => tracInCP(fx.model, train, test, { checkpoints, batchSize: 16 });
  // Exact influence at the last checkpoint (the trained model).
  lumen['influence-fixture'] = async () => (await forEachCheckpoint(fx.model, [checkpoints[2]], () => influenceFunction(fx.model, train, test, { batchSize: 16, solver: 'exact' })))[0];
  cleanup.push(() => {
    checkpoints.forEach(disposeCheckpoint);
    tf.dispose([x, y, test.x, test.y]);
    fx.dispose();
  });

  const { model: layers } = await loadBundledModel('mnist');
  const mnist = fromLayersModel(layers);
  const data = bundledDataset('mnist', n);
  const queries = bundledDataset('mnist', 8);
  let qx: tf.Tensor | null = null;
  let qy: tf.Tensor | null = null;
  for await (const b of queries.batches(8)) [qx, qy] = [b.x, b.y ?? null];
  const q = { x: qx as unknown as tf.Tensor, y: qy as unknown as tf.Tensor };
  const ckpt = snapshotCheckpoint(mnist, 1);
  lumen['tracin-mnist'] = () => tracInCP(mnist, data, q, { checkpoints: [ckpt], layers: ['dense1', 'logits'], batchSize: 64 });
  lumen['influence-mnist'] = () => influenceFunction(mnist, data, q, { layers: ['logits'], batchSize: 256, solver: 'exact' });
  cleanup.push(() => {
    disposeCheckpoint(ckpt);
    tf.dispose([q.x, q.y]);
    layers.dispose();
  });
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

  const chosen = flag('--workloads', Object.keys(lumen).join(',')).split(',');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lumen-bench-examples-'));
  const results: Record<string, unknown>[] = [];
  let server: TorchExamples | null = null;
  try {
    if (torch.version) {
      const file = path.join(dir, 'spec.json');
      writeFileSync(file, JSON.stringify(spec));
      server = await TorchExamples.start(python, file, threads);
    }
    for (const workload of chosen) {
      const run = lumen[workload];
      if (!run) throw new Error(`bench/examples: unknown workload '${workload}'; known: ${Object.keys(lumen).join(', ')}`);
      // Warm-up of both, then interleaved reps under one load record.
      const scores = (await run()).scores;
      const ref = server ? (await server.run(workload, true)).scores ?? [] : [];
      const load = recordLoad(() => server?.pid ?? -1);
      const times: number[] = [];
      const torchTimes: number[] = [];
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        await run();
        times.push(performance.now() - t0);
        if (server) torchTimes.push((await server.run(workload)).ms);
      }
      const record: LoadRecord = load.stop();
      const maxRef = Math.max(...ref.map(Math.abs), 0);
      const maxDiff = Math.max(...ref.map((v, i) => Math.abs(v - scores[i])), 0);
      results.push({
        workload,
        lumenMs: median(times),
        times,
        ...(server ? { torchMs: median(torchTimes), torchTimes, ratio: median(times) / median(torchTimes), maxScoreDiffOverMaxRef: maxDiff / maxRef, scoreCount: ref.length } : {}),
        load: record,
      });
    }
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    cleanup.forEach((f) => f());
  }
  process.stdout.write(`${JSON.stringify({
    machine: { cpus: os.cpus().length, node: process.version, backend, loadAverage: os.loadavg(), torch: torch.version ?? `none (${torch.reason})`, torchThreads: threads },
    reps,
    n,
    valid: results.every((r) => (r.load as LoadRecord).valid),
    results,
  }, null, 2)}\n`);
}

try {
  await main();
} catch (e) {
  process.stderr.write(`bench/examples: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
}
