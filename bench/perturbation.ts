/**
 * Occlusion benchmark: one occlusion explanation (Captum placement, zero baseline, w×w window over
 * every channel, stride s, batches of 32 occluded copies) on the bench MNIST CNN and the 96×96
 * MobileNet v1, with Lumen's `occlusion` on two engines — tfjs-wasm (the bench/models.ts model) and
 * onnxruntime-node (`fromOnnxRuntime` on the PyTorch model exported to ONNX, the same weights) —
 * and the same computation in plain PyTorch CPU (bench/torch_occlusion_reference.py, run before
 * Lumen's timings, never at the same time). Reports seconds per explanation, model calls and
 * occluded rows per second, the ratio to PyTorch, and how far Lumen-on-onnxruntime's attribution is
 * from PyTorch's.
 *
 *   npm run build && node dist/bench/perturbation.js [--models mnist,mobilenet96] [--reps 5] [--threads 2] [--json] [--no-torch]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { occlusion } from '../src/attribution/perturbation/occlusion.js';
import type { Model } from '../src/core/model.js';
import { readNpy } from '../src/data/npy.js';
import { useBackend } from '../src/engine/backend.js';
import { fromLayersModel } from '../src/models/from-layers-model.js';
import { fromOnnxRuntime } from '../src/models/onnx/from-onnx-runtime.js';
import { buildModel, SPECS, type BenchModelName } from './models.js';
import { median } from './workloads.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const models = arg('models', 'mnist,mobilenet96').split(',') as BenchModelName[];
const threads = Number(arg('threads', '2'));
const batch = 32;
/** Window and stride per model: 169 windows on mnist (4×4, stride 2), 225 on mobilenet96 (12×12, stride 6). */
const GEOMETRY: Partial<Record<BenchModelName, { window: number; stride: number; reps: number }>> = {
  mnist: { window: 4, stride: 2, reps: 5 },
  mobilenet96: { window: 12, stride: 6, reps: 3 },
};
const log = (s: string): void => void process.stderr.write(`${s}\n`);

interface EngineRow {
  readonly engine: string;
  readonly medianMs: number;
  readonly times: number[];
  readonly calls: number;
  readonly rows: number;
  readonly ratioToTorch: number | null;
  readonly maxAbsDiffToTorch?: number;
  readonly maxAbsTorch?: number;
}

async function timeOcclusion(model: Model, x: tf.Tensor, target: number, window: number, stride: number, reps: number): Promise<{ times: number[]; calls: number; values: Float32Array }> {
  const run = async (): Promise<{ calls: number; values: Float32Array }> => {
    const a = await occlusion(model, x, { window: [window, window], strides: stride, target, batchSize: batch });
    const values = (await a.values.data()) as Float32Array;
    a.dispose();
    return { calls: a.meta.modelCalls ?? 0, values };
  };
  let last = await run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    last = await run();
    times.push(performance.now() - t0);
  }
  return { times, ...last };
}

function nchwToNhwc(data: Float32Array, [n, c, h, w]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) for (let k = 0; k < c; k++) for (let p = 0; p < h * w; p++) out[(b * h * w + p) * c + k] = data[(b * c + k) * h * w + p];
  return out;
}

await useBackend();
const dir = mkdtempSync(path.join(tmpdir(), 'lumen-bench-perturb-'));
const results: Array<{ model: string; window: number; stride: number; windows: number; torch: { medianMs: number; calls: number; times: number[] } | null; engines: EngineRow[] }> = [];
for (const name of models) {
  const geo = GEOMETRY[name];
  if (!geo) throw new Error(`no occlusion geometry for ${name}; use mnist or mobilenet96`);
  const reps = Number(arg('reps', String(geo.reps)));
  const spec = SPECS[name];
  const [h, w, c] = spec.inputShape;
  const onnxFile = path.join(dir, `${name}.onnx`);
  const xFile = path.join(dir, `${name}-x.npy`);
  const aFile = path.join(dir, `${name}-attr.npy`);
  let torch: { medianMs: number; calls: number; times: number[] } | null = null;
  if (!process.argv.includes('--no-torch')) {
    log(`${name}: pytorch occlusion (and ONNX export) …`);
    const r = spawnSync('/usr/bin/python3', [path.join(root, 'bench', 'torch_occlusion_reference.py'), '--model', name, '--window', String(geo.window), '--stride', String(geo.stride),
      '--batch', String(batch), '--reps', String(reps), '--threads', String(threads), '--onnx', onnxFile, '--input-out', xFile, '--attr-out', aFile], { encoding: 'utf8' });
    if (r.status === 0) {
      const j = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { median_ms: number; calls: number; times_ms: number[] };
      torch = { medianMs: j.median_ms, calls: j.calls, times: j.times_ms };
    } else log(`pytorch unavailable: ${r.stderr.split('\n').slice(-3).join(' ')}`);
  }
  const engines: EngineRow[] = [];
  const ratio = (ms: number): number | null => (torch ? ms / torch.medianMs : null);
  // tfjs-wasm on the bench/models.ts model (its own seeded weights; the same architecture and work)
  log(`${name}: lumen occlusion, tfjs-${tf.getBackend()} …`);
  const layers = buildModel(name);
  const x = torch ? tf.tensor4d(nchwToNhwc(readNpy(xFile).data, [1, c, h, w]), [1, h, w, c]) : tf.randomUniform([1, h, w, c], 0, 1, 'float32', 1);
  const tfjs = await timeOcclusion(fromLayersModel(layers), x, spec.target, geo.window, geo.stride, reps);
  const windows = Math.pow(Math.ceil((h - geo.window) / geo.stride) + 1, 2);
  const tm = median(tfjs.times);
  engines.push({ engine: `lumen tfjs-${tf.getBackend()}`, medianMs: tm, times: tfjs.times, calls: tfjs.calls, rows: windows + 1, ratioToTorch: ratio(tm) });
  layers.dispose();
  if (torch) {
    log(`${name}: lumen occlusion, onnxruntime-node (${threads} threads) …`);
    const session = await ort.InferenceSession.create(readFileSync(onnxFile), { intraOpNumThreads: threads, interOpNumThreads: 1 });
    const model = await fromOnnxRuntime(session, { inputLayout: 'nhwc', batchSize: batch, name: `${name}-onnx` });
    const onnx = await timeOcclusion(model, x, spec.target, geo.window, geo.stride, reps);
    const ref = nchwToNhwc(readNpy(aFile).data, [1, c, h, w]);
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < ref.length; i++) {
      diff = Math.max(diff, Math.abs(onnx.values[i] - ref[i]));
      scale = Math.max(scale, Math.abs(ref[i]));
    }
    const om = median(onnx.times);
    engines.push({ engine: `lumen onnxruntime-node ${threads}t`, medianMs: om, times: onnx.times, calls: onnx.calls, rows: windows + 1, ratioToTorch: ratio(om), maxAbsDiffToTorch: diff, maxAbsTorch: scale });
    await session.release();
  }
  x.dispose();
  results.push({ model: name, window: geo.window, stride: geo.stride, windows, torch, engines });
}

const machine = { cpus: (await import('node:os')).cpus().length, node: process.version, backend: tf.getBackend(), loadAverage: (await import('node:os')).loadavg(), threads };
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ machine, batch, results }, null, 2)}\n`);
else {
  const lines = [`occlusion, one explanation, batches of ${batch}; medians; load average ${machine.loadAverage.map((v) => v.toFixed(1)).join(' ')}`];
  lines.push('model        windows  engine                         s/explanation  calls/s  rows/s   ×PyTorch  max|Δ| vs PyTorch');
  for (const r of results) {
    const all: EngineRow[] = [...(r.torch ? [{ engine: `pytorch-cpu ${threads}t`, medianMs: r.torch.medianMs, times: r.torch.times, calls: r.torch.calls, rows: r.windows + 1, ratioToTorch: 1 }] : []), ...r.engines];
    for (const e of all) {
      const s = e.medianMs / 1000;
      const delta = e.maxAbsDiffToTorch !== undefined ? `${e.maxAbsDiffToTorch.toExponential(1)} (of ${e.maxAbsTorch?.toPrecision(3)})` : '';
      const ratio = e.ratioToTorch === null ? '–' : `${e.ratioToTorch.toFixed(2)}×`;
      lines.push(`${r.model.padEnd(12)} ${String(r.windows).padStart(7)}  ${e.engine.padEnd(30)} ${s.toFixed(3).padStart(13)}  ${(e.calls / s).toFixed(1).padStart(7)}  ${(e.rows / s).toFixed(0).padStart(6)}  ${ratio.padStart(8)}  ${delta}`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
