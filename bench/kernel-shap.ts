/**
 * KernelSHAP benchmark: one explanation of one image with a 7×7 grid of features (K = 49), the
 * zero baseline and a fixed budget of coalitions, on the bundled MNIST CNN (models/mnist) and the
 * 96×96 MobileNet v1 of bench/models.ts — side by side in one run: Lumen on tfjs-wasm, Lumen on
 * onnxruntime-node (the same network as ONNX), and the same computation in plain PyTorch CPU
 * (bench/torch_kernel_shap.py, given the very coalitions and weights Lumen draws).
 *
 *   npm run build && node dist/bench/kernel-shap.js [--models mnist,mobilenet96] [--reps 3] [--threads 2] [--json] [--no-torch]
 *
 * Figures: seconds per explanation (median) and model rows per second (masked inputs evaluated /
 * s); batches of 32 rows per model call everywhere. mnist: 2,046 coalitions + ∅ + F = 2,048 rows;
 * mobilenet96: 254 + 2 = 256 rows. The PyTorch script times the masking, forwards, score reads and
 * the float64 fit; Lumen's time also includes drawing the coalitions.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { kernelShap } from '../src/attribution/surrogate/kernel-shap.js';
import { shapleyKernelCoalitions } from '../src/attribution/surrogate/coalition-sampler.js';
import type { Model } from '../src/core/model.js';
import { Rng } from '../src/core/random.js';
import { loadMnist, mnistBatch } from '../src/data/mnist.js';
import { useBackend } from '../src/engine/backend.js';
import { loadBundledModel } from '../src/models/bundled.js';
import { fromLayersModel } from '../src/models/from-layers-model.js';
import { fromOnnxRuntime } from '../src/models/onnx/from-onnx-runtime.js';
import { buildModel } from './models.js';
import { median } from './workloads.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const models = arg('models', 'mnist,mobilenet96').split(',') as ('mnist' | 'mobilenet96')[];
const reps = Number(arg('reps', '3'));
const threads = Number(arg('threads', '2'));
const python = arg('python', '/usr/bin/python3');
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const GRID = 7;
const BATCH = 32;
const SEED = 1;

/** A GRID×GRID grid of square-ish cells as a label map [H·W]. */
function gridMask(h: number, w: number): Int32Array {
  return Int32Array.from({ length: h * w }, (_, p) => Math.floor((Math.floor(p / w) * GRID) / h) * GRID + Math.floor(((p % w) * GRID) / w));
}

interface Row {
  model: string;
  engine: string;
  rows: number;
  secondsPerExplanation: number;
  rowsPerSecond: number;
  times: number[];
  /** max |φ| of this engine's explanation (the scale of the differences). */
  maxAbsPhi: number;
  /** max |φ − φ_onnxruntime| where the engine runs the same weights as the ONNX file. */
  maxAbsDiffToOnnx?: number;
}

await useBackend();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'lumen-kshap-'));
const results: Row[] = [];
for (const name of models) {
  const spec = name === 'mnist' ? { h: 28, w: 28, c: 1, target: 3, samples: 2046 } : { h: 96, w: 96, c: 3, target: 281, samples: 254 };
  const layers = name === 'mnist' ? (await loadBundledModel('mnist')).model : buildModel('mobilenet96');
  const wasm: Model = fromLayersModel(layers);
  const onnxFile = name === 'mnist' ? path.join(root, 'models', 'mnist-onnx', 'mnist.onnx') : path.join(tmp, 'mobilenet96.onnx');
  if (name !== 'mnist') {
    const r = spawnSync(python, [path.join(root, 'bench', 'torch_kernel_shap.py'), '--model', name, '--export-onnx', onnxFile], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`export of ${name} to ONNX failed: ${r.stderr.split('\n').slice(-3).join(' ')}`);
  }
  const session = await ort.InferenceSession.create(readFileSync(onnxFile), { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const onnx = await fromOnnxRuntime(session, { inputLayout: 'nhwc', batchSize: BATCH });
  const x = name === 'mnist' ? mnistBatch(loadMnist(), [loadMnist().labels.length - 1]) : tf.randomUniform([1, spec.h, spec.w, spec.c], 0, 1, 'float32', 12);
  const labels = gridMask(spec.h, spec.w);
  const mask = tf.tensor(labels, [spec.h, spec.w], 'int32');
  const options = { target: spec.target, featureMask: mask, samples: spec.samples, batchSize: BATCH, seed: SEED };
  // mnist: all three engines run the bundled weights; mobilenet96: tfjs has its own random weights, onnxruntime and PyTorch share the exported ones.
  const sameWeights = (engine: string): boolean => name === 'mnist' || engine !== 'lumen-tfjs-wasm';
  const values: Record<string, Float32Array> = {};
  for (const [engine, model] of [['lumen-onnxruntime', onnx], ['lumen-tfjs-wasm', wasm]] as const) {
    log(`${name} ${engine} …`);
    const once = async (): Promise<{ ms: number; values: Float32Array; rows: number }> => {
      const t0 = performance.now();
      const a = await kernelShap(model, x, options);
      const values = (await a.values.data()) as Float32Array;
      const ms = performance.now() - t0;
      const rows = 2 + (a.meta.coalitions as number[])[0];
      a.dispose();
      return { ms, values, rows };
    };
    const first = await once();
    const times: number[] = [];
    for (let i = 0; i < reps; i++) times.push((await once()).ms);
    values[engine] = first.values;
    const ref = values['lumen-onnxruntime'];
    const diff = engine !== 'lumen-onnxruntime' && sameWeights(engine) ? Math.max(...Array.from(first.values, (v, i) => Math.abs(v - ref[i]))) : undefined;
    const ms = median(times);
    results.push({ model: name, engine, rows: first.rows, secondsPerExplanation: ms / 1000, rowsPerSecond: first.rows / (ms / 1000), times, maxAbsPhi: Math.max(...Array.from(first.values, Math.abs)), ...(diff !== undefined ? { maxAbsDiffToOnnx: diff } : {}) });
  }
  if (!process.argv.includes('--no-torch')) {
    log(`${name} pytorch …`);
    const plan = shapleyKernelCoalitions(GRID * GRID, spec.samples, new Rng(SEED), true);
    const k = GRID * GRID;
    const coalitions = new Uint8Array((plan.count + 2) * k);
    coalitions.fill(1, k, 2 * k);
    coalitions.set(plan.rows, 2 * k);
    const planFile = path.join(tmp, `${name}.json`);
    writeFileSync(planFile, JSON.stringify({ x: Array.from(await x.data()), mask: Array.from(labels), features: k, coalitions: Array.from(coalitions), weights: Array.from(plan.weights), target: spec.target, batch: BATCH }));
    const r = spawnSync(python, [path.join(root, 'bench', 'torch_kernel_shap.py'), '--model', name, '--plan', planFile, '--reps', String(reps), '--threads', String(threads)], { encoding: 'utf8' });
    if (r.status === 0) {
      const t = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { median_ms: number; times_ms: number[]; rows: number; engine: string; phi: number[] };
      const ref = values['lumen-onnxruntime'];
      const diff = Math.max(...t.phi.map((v, j) => Math.abs(v - ref[labels.indexOf(j)])));
      results.push({ model: name, engine: t.engine, rows: t.rows, secondsPerExplanation: t.median_ms / 1000, rowsPerSecond: t.rows / (t.median_ms / 1000), times: t.times_ms, maxAbsPhi: Math.max(...t.phi.map(Math.abs)), maxAbsDiffToOnnx: diff });
    } else log(`pytorch unavailable: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
  }
  tf.dispose([x, mask]);
  layers.dispose();
  await session.release();
}
const machine = { cpus: os.cpus().length, node: process.version, backend: tf.getBackend(), threads, loadAverage: os.loadavg() };
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ machine, reps, results }, null, 2)}\n`);
else {
  process.stdout.write(`KernelSHAP, one image, K = ${GRID * GRID} grid features, batches of ${BATCH}; median of ${reps} (load ${machine.loadAverage.map((l) => l.toFixed(1)).join(' ')})\n`);
  process.stdout.write('model        engine               rows   s/explanation   rows/s    max|φ|    max|Δφ| vs onnxruntime (same weights)\n');
  for (const r of results) {
    process.stdout.write(`${r.model.padEnd(12)} ${r.engine.padEnd(20)} ${String(r.rows).padStart(5)} ${r.secondsPerExplanation.toFixed(3).padStart(14)} ${r.rowsPerSecond.toFixed(0).padStart(8)}  ${r.maxAbsPhi.toExponential(1).padStart(8)}    ${r.maxAbsDiffToOnnx === undefined ? '–' : r.maxAbsDiffToOnnx.toExponential(1)}\n`);
  }
}
