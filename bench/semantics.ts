/**
 * Hidden-semantics benchmark (issue 13) on the bundled MNIST CNN, beside the same loops in PyTorch
 * on the same weights (bench/torch_semantics.py --serve):
 *   featureviz  — `featureVisualization` of one relu2 channel (3 by default), 512 Adam steps at Lucid's
 *                 defaults (Fourier basis, sigmoid, the standard transforms at 28 px, lr 0.05);
 *   tcav-LAYER  — `tcav` at LAYER (pool2 and relu3 by default), 10 runs: class 7's gradients over 500
 *                 held-out digits, concepts 'digit 1' and 'digit 9' (50 digits each), a random pool of
 *                 200 held-out digits, logistic CAVs, the t-test.
 * Repetitions are interleaved (warm-up of each, then Lumen, PyTorch, Lumen, …) under one load record
 * per workload; a workload whose foreign load exceeds 0.2 core is marked invalid (bench/interleaved.ts).
 * Memory: per workload, the peak of tf.memory().numBytes during one Lumen rep and the tensors left
 * after it, against the default memory budget (512 MB, src/core/batching.ts); at the end this process's peak RSS and the wasm heap, and PyTorch's peak RSS.
 * Prints one JSON object.
 *
 *   npm run build && node dist/bench/semantics.js [--reps 3] [--steps 512] [--channel 3] [--runs 10]
 *     [--tcav-layers pool2,relu3] [--workloads featureviz,tcav-pool2,tcav-relu3] [--no-torch]
 *     [--python /usr/bin/python3] [--torch-threads 2]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { tcav } from '../src/concepts/tcav.js';
import { DEFAULT_MEMORY_BUDGET } from '../src/core/batching.js';
import { datasetFromArrays, type Dataset } from '../src/core/dataset.js';
import { loadMnist, mnistSplit, MNIST_PIXELS } from '../src/data/mnist.js';
import { useBackend } from '../src/engine/backend.js';
import { featureVisualization } from '../src/featureviz/feature-visualization.js';
import { channelObjective } from '../src/featureviz/objective.js';
import { scaledTransforms } from '../src/featureviz/transforms.js';
import { loadModelSpec } from '../src/cli/load-model.js';
import { recordLoad, type LoadRecord } from './interleaved.js';
import { peakRss, trackPeakBytes, wasmHeap } from './memory.js';
import { torchVersion } from './torch.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function median(v: readonly number[]): number {
  const sorted = [...v].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

type Reply = { ms: number; maxRssBytes?: number } & Record<string, unknown>;

/** bench/torch_semantics.py --serve: one rep per request. */
class TorchSemantics {
  private readonly lines: AsyncIterator<string>;
  ready: Record<string, unknown> = {};
  /** The largest peak RSS any reply reported (bytes). */
  rssPeak: number | null = null;
  private constructor(private readonly child: ChildProcess) {
    this.lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  }

  static async start(python: string, spec: string): Promise<TorchSemantics> {
    const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'torch_semantics.py');
    const child = spawn(python, [script, spec, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const t = new TorchSemantics(child);
    t.ready = (await t.next()) as Record<string, unknown>;
    return t;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  async run(workload: string, seed: number): Promise<Reply> {
    this.child.stdin?.write(`${workload} ${seed}\n`);
    const reply = (await this.next()) as Reply;
    if (reply.maxRssBytes !== undefined) this.rssPeak = Math.max(this.rssPeak ?? 0, reply.maxRssBytes);
    return reply;
  }

  async stop(): Promise<void> {
    this.child.stdin?.end('\n');
    await new Promise((resolve) => this.child.once('close', resolve));
  }

  private async next(): Promise<unknown> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error('bench: torch_semantics.py --serve ended early');
    return JSON.parse(value) as unknown;
  }
}

/** The TCAV images: held-out digits, disjoint parts of the split (class data, two concepts, a random pool). */
function tcavImages(): { data: number[][]; labels: number[]; concepts: Record<string, number[][]>; random: number[][] } {
  const mnist = loadMnist();
  const held = Array.from(mnistSplit(mnist).heldOut);
  const row = (k: number): number[] => Array.from(mnist.images.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS));
  const dataRows = held.slice(0, 500);
  const rest = held.slice(500);
  const ofDigit = (d: number): number[] => rest.filter((k) => mnist.labels[k] === d).slice(0, 50);
  const conceptRows = { 'digit 1': ofDigit(1), 'digit 9': ofDigit(9) };
  const used = new Set(Object.values(conceptRows).flat());
  const randomRows = rest.filter((k) => !used.has(k)).slice(0, 200);
  return {
    data: dataRows.map(row),
    labels: dataRows.map((k) => mnist.labels[k]),
    concepts: Object.fromEntries(Object.entries(conceptRows).map(([name, rows]) => [name, rows.map(row)])),
    random: randomRows.map(row),
  };
}

const asDataset = (rows: number[][], labels?: number[]): Dataset =>
  datasetFromArrays(rows.map((r) => Float32Array.from(r)), { inputShape: [28, 28, 1], ...(labels ? { labels } : {}) });

async function main(): Promise<void> {
  const backend = await useBackend();
  const reps = Number(flag('--reps', '3'));
  const steps = Number(flag('--steps', '512'));
  const channel = Number(flag('--channel', '3'));
  const runs = Number(flag('--runs', '10'));
  const cls = 7;
  const tcavLayers = flag('--tcav-layers', 'pool2,relu3').split(',');
  const chosen = flag('--workloads', ['featureviz', ...tcavLayers.map((l) => `tcav-${l}`)].join(',')).split(',');
  const python = flag('--python', '/usr/bin/python3');
  const threads = Number(flag('--torch-threads', '2'));
  const torch = process.argv.includes('--no-torch') ? { version: null, reason: '--no-torch' } : torchVersion(python);

  const loaded = await loadModelSpec('bundled:mnist');
  const { model } = loaded;
  const imgs = tcavImages();
  const data = asDataset(imgs.data, imgs.labels);
  const concepts = Object.entries(imgs.concepts).map(([name, rows]) => ({ name, data: asDataset(rows) }));
  const random = asDataset(imgs.random);
  const lumen: Record<string, (seed: number) => Promise<Record<string, unknown>>> = {
    featureviz: async (seed) => {
      const v = await featureVisualization(model, channelObjective('relu2', channel), { steps, seed });
      v.dispose();
      return { start: v.values[0][1], end: v.values[v.values.length - 1][1] };
    },
  };
  for (const layer of tcavLayers) {
    lumen[`tcav-${layer}`] = async (seed) => {
      const r = await tcav(model, data, { layer, class: cls, concepts, random, runs, seed });
      return { means: r.concepts.map((c) => c.mean), randomMean: r.random.mean, pValues: r.concepts.map((c) => c.pValue), classRows: r.classExamples };
    };
  }

  const dir = mkdtempSync(path.join(os.tmpdir(), 'lumen-bench-semantics-'));
  let server: TorchSemantics | null = null;
  const results: Record<string, unknown>[] = [];
  try {
    if (torch.version) {
      const weights: Record<string, { shape: number[]; values: number[] }> = {};
      for (const layer of loaded.layersModel?.layers ?? []) {
        for (const w of layer.weights) weights[`${layer.name}/${w.name.split('/').pop()?.replace(/_\d+$/, '')}`] = { shape: w.shape as number[], values: Array.from(w.read().dataSync()) };
      }
      // A probe input and Lumen's logits on it: the reference checks it runs the same function.
      const probeT = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
      const logitsT = tf.tidy(() => model.run(probeT).output);
      const probe = Array.from(probeT.dataSync());
      const probeLogits = Array.from(logitsT.dataSync());
      tf.dispose([probeT, logitsT]);
      const keys = Object.keys(imgs.concepts);
      const file = path.join(dir, 'workload.json');
      writeFileSync(file, JSON.stringify({
        weights, channel, steps, learningRate: 0.05, threads, transforms: scaledTransforms(28, 28), probe, probeLogits,
        tcav: { class: cls, runs, data: imgs.data.flat(), dataLabels: imgs.labels, random: imgs.random.flat(), conceptKeys: keys.map((_, i) => `concept${i}`), ...Object.fromEntries(keys.map((k, i) => [`concept${i}`, imgs.concepts[k].flat()])) },
      }));
      server = await TorchSemantics.start(python, file);
    }
    for (const workload of chosen) {
      const run = lumen[workload];
      if (!run) throw new Error(`bench/semantics: unknown workload '${workload}'; known: ${Object.keys(lumen).join(', ')}`);
      // Warm-up of both (Lumen's under the peak-bytes tracker), then interleaved reps under one load record.
      const before = tf.memory().numTensors;
      const peak = trackPeakBytes();
      const lumenOut = await run(0);
      const peakTensorBytes = peak.stop();
      const tensorsLeft = tf.memory().numTensors - before;
      const torchOut = server ? await server.run(workload, 0) : null;
      const load = recordLoad(() => server?.pid ?? -1);
      const times: number[] = [];
      const torchTimes: number[] = [];
      for (let r = 1; r <= reps; r++) {
        const t0 = performance.now();
        await run(r);
        times.push(performance.now() - t0);
        if (server) torchTimes.push((await server.run(workload, r)).ms);
      }
      const record: LoadRecord = load.stop();
      const { ms: _ms, maxRssBytes: _rss, ...torchResult } = torchOut ?? { ms: 0 };
      results.push({
        workload,
        lumenMs: median(times),
        times,
        ...(server ? { torchMs: median(torchTimes), torchTimes, ratio: median(times) / median(torchTimes) } : {}),
        lumen: lumenOut,
        ...(server ? { torch: torchResult } : {}),
        memory: { peakTensorBytes, tensorsLeft, budgetBytes: DEFAULT_MEMORY_BUDGET, withinBudget: peakTensorBytes <= DEFAULT_MEMORY_BUDGET },
        load: record,
      });
    }
  } finally {
    const torchRss = server?.rssPeak;
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    loaded.dispose();
    process.stdout.write(`${JSON.stringify({
      machine: { cpus: os.cpus().length, node: process.version, backend, loadAverage: os.loadavg(), torch: torch.version ?? `none (${torch.reason})`, torchThreads: threads, sameFunctionMaxDiff: server?.ready.probe_max_diff },
      reps, steps, channel, runs, class: cls,
      valid: results.length > 0 && results.every((r) => (r.load as LoadRecord).valid),
      results,
      memory: { lumenRssPeakBytes: peakRss(), wasmHeapBytes: wasmHeap().size, torchRssPeakBytes: torchRss ?? null },
    }, null, 2)}\n`);
  }
}

try {
  await main();
} catch (e) {
  process.stderr.write(`bench/semantics: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
}
