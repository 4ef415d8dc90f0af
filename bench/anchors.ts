/**
 * Anchors benchmark on the bundled penguins model: per held-out row, Lumen's `anchorTabular`
 * (alibi's `explain()` defaults) and the search alibi's `anchor_beam` makes with the same settings
 * (bench/alibi-anchor-budget.ts: a re-implementation that counts alibi's model calls and labelled
 * rows — alibi itself is not installed here), both on the same sampler and model. Each anchor's
 * precision is then re-measured on 1,000 fresh samples. Prints JSON: per method the mean and
 * median model calls, labelled rows and seconds per explanation, the share of rows whose
 * re-measured precision reaches the threshold, mean coverage and anchor size; and the ratios
 * Lumen / alibi of calls, rows and seconds — also against alibi's search without its sample reuse
 * (which, on tabular rows, inflates precision estimates: alibi's anchors fall short when re-measured).
 * Lumen's rows are explained one call each (per-explanation figures), then all in one call
 * (`lumenAllRowsInOneCall`: the searches share model calls; the anchors must be the same). (alibi's seconds are the re-implementation's in Node on
 * this model, not Python's).
 *
 *   npm run build && node dist/bench/anchors.js [--rows 20] [--threshold 0.95] [--beam 1] [--engine auto|tfjs]
 */
import * as tf from '@tensorflow/tfjs';
import { datasetFromArrays, type ColumnKind } from '../src/core/dataset.js';
import { Rng } from '../src/core/random.js';
import { encodePenguins, loadPenguins, penguinSplit, penguinStandardization, PENGUIN_CLASSES, PENGUIN_FEATURES, PENGUIN_MEASUREMENTS } from '../src/data/penguins.js';
import { useBackend } from '../src/engine/backend.js';
import { anchorTabular } from '../src/local-rules/anchor-tabular.js';
import { predictedLabels } from '../src/local-rules/predicted-labels.js';
import { tabularAnchorSampler } from '../src/local-rules/tabular-anchor-sampler.js';
import { loadBundledModel } from '../src/models/bundled.js';
import { fromLayersModel } from '../src/models/from-layers-model.js';
import type { Model } from '../src/core/model.js';
import { alibiAnchorBeam } from './alibi-anchor-budget.js';
import { median } from './workloads.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const ROWS = Number(arg('rows', '20'));
const threshold = Number(arg('threshold', '0.95'));
const beamSize = Number(arg('beam', '1'));
const engine = arg('engine', 'auto');
const FRESH = 1000;
// alibi's batch_size is Lumen's samplesPerPull; Lumen's batchSize (rows per model call) keeps its default.
const settings = { threshold, delta: 0.1, tau: 0.15, epsilonStop: 0.05, batchSize: 100, coverageSamples: 10000, beamSize, minSamplesStart: 100 };

const lumenOptions = { threshold, delta: settings.delta, tau: settings.tau, epsilonStop: settings.epsilonStop, samplesPerPull: settings.batchSize, coverageSamples: settings.coverageSamples, beamSize, minSamplesStart: settings.minSamplesStart };

await useBackend();
const { model: layers } = await loadBundledModel('penguins');
const base = fromLayersModel(layers);
// '--engine tfjs': a view without the onnxruntime graph (forward passes stay on tfjs-wasm).
const model: Model = engine === 'tfjs' ? { ...base, predict: (x) => base.predict(x) } : base;
const data = loadPenguins();
const split = penguinSplit(data);
const stats = penguinStandardization(data, split.train);
const d = PENGUIN_FEATURES.length;
const trainRows = encodePenguins(Array.from(split.train, (k) => data.rows[k]), stats);
const heldOut = encodePenguins(Array.from(split.heldOut, (k) => data.rows[k]), stats);
const kinds = PENGUIN_FEATURES.map((_, c): ColumnKind => (c < PENGUIN_MEASUREMENTS.length ? 'numeric' : 'categorical'));
const trainCount = trainRows.length / d;
const train = datasetFromArrays(Array.from({ length: trainCount }, (_, i) => trainRows.subarray(i * d, (i + 1) * d)), { featureNames: PENGUIN_FEATURES, classNames: PENGUIN_CLASSES, kinds });
const rows = Math.min(ROWS, heldOut.length / d);

interface Run { calls: number; samples: number; seconds: number; precision: number; coverage: number; size: number }
const lumen: Run[] = [];
const alibi: Run[] = [];
const alibiFresh: Run[] = [];
const perRowAnchors: number[][] = [];
const labelOf = async (x: Float32Array, n: number): Promise<Int32Array> => (await predictedLabels(model, x, n, 'float32', 4096)).labels;
// Warm-up (sessions, kernels) outside the timings.
await anchorTabular(model, train, tf.tensor(heldOut.subarray(0, d), [1, d]), { seed: 0, coverageSamples: 100 }).then(() => undefined);

for (let i = 0; i < rows; i++) {
  const instance = heldOut.subarray(i * d, (i + 1) * d);
  const sampler = tabularAnchorSampler(trainRows, trainCount, instance, kinds, PENGUIN_FEATURES);
  const remeasure = async (features: readonly number[], label: number): Promise<number> => {
    const { inputs } = sampler.sample(features, FRESH, new Rng(1000 + i));
    return (await labelOf(inputs, FRESH)).filter((c) => c === label).length / FRESH;
  };
  const x = tf.tensor(instance, [1, d]);
  let t0 = performance.now();
  const e = await anchorTabular(model, train, x, { ...lumenOptions, seed: 3 + i });
  const lumenSeconds = (performance.now() - t0) / 1000;
  x.dispose();
  const meta = e.meta as { anchors: { features: number[]; modelCalls: number; samples: number }[]; labels: number[]; instanceCalls: number };
  const label = meta.labels[0];
  const a = meta.anchors[0];
  perRowAnchors.push(a.features);
  lumen.push({ calls: a.modelCalls + meta.instanceCalls, samples: a.samples, seconds: lumenSeconds, precision: await remeasure(a.features, label), coverage: e.rules[0].coverage ?? 0, size: a.features.length });

  for (const [runs, reuse] of [[alibi, true], [alibiFresh, false]] as const) {
    t0 = performance.now();
    const own = (await labelOf(Float32Array.from(instance), 1))[0]; // alibi's explain() predicts the instance first
    const found = await alibiAnchorBeam(sampler, async (inputs, n) => Uint8Array.from(await labelOf(inputs, n), (c) => (c === own ? 1 : 0)), { ...settings, seed: 3 + i, reuse });
    const seconds = (performance.now() - t0) / 1000;
    runs.push({ calls: found.modelCalls + 1, samples: found.samples, seconds, precision: await remeasure(found.anchor, own), coverage: found.coverage, size: found.anchor.length });
  }
}

// All rows in one call: the searches run together and share model calls (src/local-rules/shared-classifier.ts).
const all = tf.tensor(heldOut.subarray(0, rows * d), [rows, d]);
const t1 = performance.now();
const together = await anchorTabular(model, train, all, { ...lumenOptions, seed: 3 });
const togetherSeconds = (performance.now() - t1) / 1000;
all.dispose();
const togetherMeta = together.meta as { anchors: { features: number[] }[]; modelCalls: number };
const sameAnchors = togetherMeta.anchors.every((a, i) => a.features.join() === (lumen[i] ? (perRowAnchors[i] ?? []).join() : ''));

const summary = (runs: Run[]) => ({
  modelCallsMean: runs.reduce((s, r) => s + r.calls, 0) / runs.length,
  modelCallsMedian: median(runs.map((r) => r.calls)),
  labelledRowsMean: runs.reduce((s, r) => s + r.samples, 0) / runs.length,
  labelledRowsMedian: median(runs.map((r) => r.samples)),
  secondsMean: runs.reduce((s, r) => s + r.seconds, 0) / runs.length,
  secondsMedian: median(runs.map((r) => r.seconds)),
  precisionReached: runs.filter((r) => r.precision >= threshold).length / runs.length,
  precisionMean: runs.reduce((s, r) => s + r.precision, 0) / runs.length,
  coverageMean: runs.reduce((s, r) => s + r.coverage, 0) / runs.length,
  anchorSizeMean: runs.reduce((s, r) => s + r.size, 0) / runs.length,
});
const L = summary(lumen);
const A = summary(alibi);
const AF = summary(alibiFresh);
process.stdout.write(`${JSON.stringify({
  workload: `Anchors on ${rows} held-out penguin rows (bundled penguins MLP), threshold ${threshold}, δ 0.1, τ 0.15, ε_stop 0.05, batch 100, 10,000 coverage samples, beam ${beamSize}`,
  engine: engine === 'tfjs' ? 'tfjs' : 'auto (onnxruntime forward when the graph translates)',
  backend: tf.getBackend(),
  lumen: L,
  lumenAllRowsInOneCall: { modelCallsPerExplanation: togetherMeta.modelCalls / rows, secondsPerExplanation: togetherSeconds / rows, sameAnchorsAsOneByOne: sameAnchors },
  alibiAlgorithm: { ...A, note: "alibi's anchor_beam re-implemented (bench/alibi-anchor-budget.ts): calls and rows are alibi's; seconds are the re-implementation's in Node" },
  alibiAlgorithmWithoutReuse: { ...AF, note: 'the same search with every candidate starting unsampled (unbiased estimates on tabular rows; alibi seeds candidates from correlated stored rows)' },
  ratios: { modelCalls: L.modelCallsMean / A.modelCallsMean, labelledRows: L.labelledRowsMean / A.labelledRowsMean, seconds: L.secondsMean / A.secondsMean },
  ratiosWithoutReuse: { modelCalls: L.modelCallsMean / AF.modelCallsMean, labelledRows: L.labelledRowsMean / AF.labelledRowsMean, seconds: L.secondsMean / AF.secondsMean },
  perRow: lumen.map((r, i) => ({ lumen: r, alibi: alibi[i], alibiWithoutReuse: alibiFresh[i] })),
}, null, 2)}\n`);
layers.dispose();
