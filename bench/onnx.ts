/**
 * ONNX benchmark: MobileNetV2 imported by Lumen (test/fixtures/models/mobilenet_v2.onnx, batch 8,
 * 224×224) — forward time against onnxruntime-node on the same file, and input-gradient time
 * against a plain PyTorch CPU gradient (bench/torch_onnx_reference.py, torchvision's MobileNetV2).
 *
 *   npm run build && npm run bench:onnx -- [--batch 8] [--reps 5] [--json] [--no-torch] [--model path.onnx]
 *                                          [--ort-threads 2] [--torch-threads 2]
 *
 * The gradient is Lumen's `saliency` (signed, one call of the whole batch), as a user runs it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { useBackend } from '../src/engine/backend.js';
import { saliency } from '../src/attribution/gradient/saliency.js';
import { fromOnnxRuntime } from '../src/models/onnx/from-onnx-runtime.js';
import { loadOnnx } from '../src/models/onnx/load-onnx.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const batch = Number(arg('batch', '8'));
const reps = Number(arg('reps', '5'));
const modelPath = arg('model', path.join(root, 'test', 'fixtures', 'models', 'mobilenet_v2.onnx'));
const ortThreads = Number(arg('ort-threads', '2'));
const torchThreads = arg('torch-threads', '2');

async function median(fn: () => Promise<void>): Promise<{ median: number; times: number[] }> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  const sorted = times.slice().sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], times };
}

await useBackend();
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const model = await loadOnnx(modelPath);
const session = await ort.InferenceSession.create(readFileSync(modelPath), { intraOpNumThreads: ortThreads });
const ortModel = await fromOnnxRuntime(session, { batchSize: batch });
const x = tf.randomNormal([batch, 3, 224, 224], 0, 1, 'float32', 1);
log('lumen forward …');
const lumenFwd = await median(async () => tf.dispose(await model.predict(x)));
log('onnxruntime forward …');
const ortFwd = await median(async () => tf.dispose(await ortModel.predict(x)));
log('lumen gradient …');
const lumenGrad = await median(async () => {
  const s = await saliency(model, x, { target: 394, mode: 'signed', batchSize: batch });
  await s.values.data();
  s.dispose();
});
let torch: Record<string, number> = {};
if (!process.argv.includes('--no-torch')) {
  log('pytorch …');
  const r = spawnSync('/usr/bin/python3', [path.join(root, 'bench', 'torch_onnx_reference.py'), '--batch', String(batch), '--reps', String(reps), '--threads', torchThreads], { encoding: 'utf8' });
  if (r.status === 0) torch = Object.fromEntries(r.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((j) => [j.workload, j.median_ms]));
  else log(`pytorch unavailable: ${r.stderr.split('\n').slice(-2).join(' ')}`);
}
const result = {
  model: path.basename(modelPath), batch, reps, backend: tf.getBackend(),
  machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))), onnxruntimeThreads: ortThreads, torchThreads: Number(torchThreads) },
  forward: { lumenMs: lumenFwd.median, onnxruntimeMs: ortFwd.median, ratio: lumenFwd.median / ortFwd.median },
  gradient: { lumenMs: lumenGrad.median, torchMs: torch.grad ?? null, ratio: torch.grad ? lumenGrad.median / torch.grad : null },
  torchForwardMs: torch.fwd ?? null,
};
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  const f = (v: number | null): string => (v === null ? '–' : v.toFixed(0));
  process.stdout.write(`MobileNetV2 (ONNX) batch ${batch} at 224×224, ${reps} reps, medians\n`);
  process.stdout.write(`forward:  Lumen ${f(result.forward.lumenMs)} ms, onnxruntime-node ${f(result.forward.onnxruntimeMs)} ms → ratio ${result.forward.ratio.toFixed(2)}\n`);
  process.stdout.write(`gradient: Lumen ${f(result.gradient.lumenMs)} ms, PyTorch ${f(result.gradient.torchMs)} ms → ratio ${result.gradient.ratio?.toFixed(2) ?? '–'}\n`);
}
tf.dispose(x);
model.dispose();
