/**
 * The cost of every evaluation metric on the bundled MNIST CNN: model calls and seconds for one
 * method's attributions on N held-out digits (default saliency, 8 digits).
 *
 *   npm run build && npm run bench:metrics -- [--json] [--n 8] [--method saliency] [--metrics a,b] [--train 500]
 *
 * Localisation metrics get the digit's strokes (pixels > 0.5) as masks; ROAR, KAR and data
 * randomisation retrain on `--train` training digits for one epoch (their cost grows linearly
 * with both); focus needs 2 × 2 mosaics and is left out. See bench/README.md.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src/engine/backend.js';
import { loadMnist, mnistBatch, mnistLabels, mnistSplit } from '../src/data/mnist.js';
import { layersModelRandomizer } from '../src/metrics/model-parameter-randomisation.js';
import { METRICS, type MetricRunOptions } from '../src/metrics/registry.js';
import { loadBundledModel } from '../src/models/bundled.js';
import { fromLayersModel } from '../src/models/from-layers-model.js';

interface Row {
  readonly metric: string;
  readonly category: string;
  readonly modelCalls: number;
  readonly seconds: number;
  readonly aggregate: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const n = Number(arg('n', '8'));
  const method = arg('method', 'saliency');
  const trainCount = Number(arg('train', '500'));
  const only = process.argv.includes('--metrics') ? arg('metrics', '').split(',') : null;
  const backend = await useBackend();
  const { model: lm } = await loadBundledModel('mnist');
  const model = fromLayersModel(lm);
  const data = loadMnist();
  const split = mnistSplit(data);
  const x = mnistBatch(data, split.heldOut.slice(0, n));
  const labels = mnistLabels(data, split.heldOut.slice(0, n));
  const masks = tf.tidy(() => x.greater(0.5).toFloat());
  const trainIdx = split.train.slice(0, trainCount);
  const train = { x: mnistBatch(data, trainIdx), labels: mnistLabels(data, trainIdx) };
  const rows: Row[] = [];
  for (const m of METRICS) {
    if (only && !only.includes(m.id)) continue;
    if (m.needs.includes('quadrants')) continue;
    const options: MetricRunOptions = {
      target: Array.from(labels), seed: 0,
      ...(m.needs.includes('masks') ? { masks } : {}),
      ...(m.needs.includes('randomizer') ? { randomizer: layersModelRandomizer(lm) } : {}),
      ...(m.needs.includes('training') ? { layersModel: lm, train, labels, epochs: 1 } : {}),
    };
    const t0 = performance.now();
    const r = await m.run(model, x, method, options);
    const seconds = (performance.now() - t0) / 1000;
    rows.push({ metric: m.id, category: m.category, modelCalls: r.modelCalls, seconds: Number(seconds.toFixed(3)), aggregate: r.aggregate });
    if (!json) process.stderr.write(`${m.id}: ${r.modelCalls} calls, ${seconds.toFixed(2)} s\n`);
  }
  const result = {
    machine: { cpus: os.cpus().length, node: process.version, backend, loadAverage: os.loadavg().map((v) => Number(v.toFixed(2))) },
    model: 'bundled:mnist', method, examples: n, trainExamples: trainCount, results: rows,
  };
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write('metric                             category       calls   seconds\n');
    for (const r of rows) process.stdout.write(`${r.metric.padEnd(34)} ${r.category.padEnd(14)} ${String(r.modelCalls).padStart(5)} ${r.seconds.toFixed(2).padStart(9)}\n`);
  }
  tf.dispose([x, masks, train.x]);
  lm.dispose();
}

await main();
