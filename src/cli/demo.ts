import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import type { Attribution } from '../core/attribution.js';
import { check, LumenError } from '../core/errors.js';
import type { LocalMethodInfo, MethodInfo, MethodOptions } from '../core/method-info.js';
import { ensureWritableDir, writeFileAtomic } from '../data/io.js';
import { loadMnist, mnistBatch, mnistSplit } from '../data/mnist.js';
import { loadPenguins, penguinBatch, penguinSplit } from '../data/penguins.js';
import { packageRoot } from '../models/bundled.js';
import { benchmarkDemoSection } from './benchmark.js';
import { datasetFromTensors } from '../core/dataset.js';
import { bundledDataset } from '../data/dataset-files.js';
import { CONCEPTS_DEMO_METHODS, conceptsDemo } from './demo-concepts.js';
import { runGlobalDemo, type GlobalDemoCase } from './demo-global.js';
import { featureScales } from './load-dataset.js';
import { METHODS, methodById } from '../methods.js';
import { grid } from '../render/grid.js';
import { renderReport, type ReportSection } from '../render/html-report.js';
import { encodePng } from '../render/png.js';
import { withBackend } from './context.js';
import { attributionFigures } from './figures.js';
import type { ModelInput } from './load-input.js';
import { loadModelSpec, type LoadedModel } from './load-model.js';
import { progressBar } from './progress.js';
import { examplesSection, skippedSection, timingsSection, type MethodRun, type ReportCase } from './report-sections.js';
import { attributionTiles, inputTiles, predictionTexts } from './report-tiles.js';
import { formatTable } from './table.js';

/** One dataset of the demo: a bundled model, a handful of held-out examples and a default layer. */
interface DemoCase {
  readonly name: string;
  readonly loaded: LoadedModel;
  readonly input: ModelInput;
  readonly labels: readonly string[];
  /** The layer given to methods that need one. */
  readonly layer: string;
  readonly kind: 'image' | 'tabular';
  readonly title: string;
  readonly text: string;
  /** One title per example in the report. */
  readonly exampleTitles: readonly string[];
  /** Examples the report shows (the PNGs hold them all). */
  readonly maxExamples: number;
  /** Training rows: the sampling statistics of tabular LIME. */
  readonly background?: tf.Tensor;
}

/** One method's result on one dataset, as the table and the report show it. */
export interface DemoRow {
  readonly dataset: string;
  readonly method: string;
  readonly status: 'ok' | 'skipped' | 'failed';
  readonly msPerExample: number | null;
  /** Max |Σ attribution − (f(x) − f(baseline))| over the examples, where the method reports it. */
  readonly completenessError: number | null;
  readonly note?: string;
}

function heldOutDigits(count: number): { indices: number[]; labels: string[] } {
  const data = loadMnist();
  const split = mnistSplit(data);
  const indices: number[] = [];
  const seen = new Set<number>();
  for (const k of split.heldOut) {
    if (indices.length === count) break;
    if (seen.has(data.labels[k])) continue;
    seen.add(data.labels[k]);
    indices.push(k);
  }
  return { indices, labels: indices.map((k) => String(data.labels[k])) };
}

async function demoCases(digits: number, penguins: number): Promise<DemoCase[]> {
  const mnist = await loadModelSpec('bundled:mnist');
  const d = heldOutDigits(digits);
  const batch = mnistBatch(loadMnist(), d.indices);
  const pixels = await batch.data();
  const images = d.indices.map((_, i) => ({ data: pixels.subarray(i * 784, (i + 1) * 784) as Float32Array, height: 28, width: 28, channels: 1 }));
  const peng = await loadModelSpec('bundled:penguins');
  const pdata = loadPenguins();
  const rows = Array.from(penguinSplit(pdata).heldOut).slice(0, penguins);
  if (!peng.standardization) throw new LumenError('model', 'bundled:penguins: its meta.json lacks the standardisation statistics');
  const onnx = await loadModelSpec(path.join(packageRoot(), 'models', 'mnist-onnx', 'mnist.onnx'));
  const digitText = `Held-out digits ${d.labels.join(', ')}, each explained for its predicted class. Per method: the heatmap (red: evidence for the class, blue: against; unsigned maps from black to yellow) and the same map over the darkened input, with the colour scale under them.`;
  const digitTitles = d.labels.map((l, i) => `Example ${i + 1}: a handwritten ${l}`);
  return [
    { name: 'mnist', loaded: mnist, input: { batch, images }, labels: d.labels, layer: 'relu2', kind: 'image', title: 'MNIST digits (bundled tfjs CNN)', text: digitText, exampleTitles: digitTitles, maxExamples: digits },
    {
      name: 'mnist-onnx',
      loaded: onnx,
      input: { batch: batch.clone(), images },
      labels: d.labels,
      layer: '/Relu_1',
      kind: 'image',
      exampleTitles: digitTitles,
      maxExamples: 1,
      title: 'MNIST digits (the same CNN exported from PyTorch to ONNX, imported by Lumen)',
      text: `${digitText} models/mnist-onnx/mnist.onnx is the bundled CNN rebuilt in PyTorch and exported with torch.onnx (scripts/export-mnist-onnx.py); Lumen imports the ONNX graph into tfjs ops, so every gradient method runs on it and gives the tfjs model's numbers.`,
    },
    {
      name: 'penguins',
      loaded: peng,
      input: { batch: penguinBatch(pdata, peng.standardization, rows), featureNames: peng.featureNames },
      labels: rows.map((k) => pdata.rows[k].species),
      layer: 'relu1',
      kind: 'tabular',
      background: penguinBatch(pdata, peng.standardization, Array.from(penguinSplit(pdata).train)),
      title: 'Palmer penguins (bundled MLP)',
      text: `Held-out penguins (${rows.map((k) => pdata.rows[k].species).join(', ')}), each explained for its predicted species: the features that pushed the prediction up (positive) or down.`,
      exampleTitles: rows.map((k, i) => `Penguin ${i + 1}: a ${pdata.rows[k].species}`),
      maxExamples: 2,
    },
  ];
}

/** Whether the demo runs a registry method on a dataset of this kind: local methods made for its inputs. */
export function demoApplies(method: MethodInfo, c: Pick<DemoCase, 'kind'>): method is LocalMethodInfo {
  if (method.scope !== 'local') return false;
  return method.inputKinds.includes('any') || method.inputKinds.includes(c.kind);
}

/**
 * Why the demo does not run a registry method on a dataset (the note of its 'skipped' row): global
 * methods explain a model over a whole dataset, and the demo shows per-example explanations.
 */
export function demoSkipReason(method: MethodInfo, c: Pick<DemoCase, 'kind' | 'name'>): string {
  if (method.scope !== 'local') return `a ${method.scope} method (it explains the model over a dataset): the demo shows local, per-example explanations`;
  return `needs ${method.inputKinds.join(' or ')} inputs; ${c.name} is ${c.kind}`;
}

/** One untimed forward and gradient pass, so the first method's time holds no kernel set-up. */
async function warmUp(c: DemoCase): Promise<void> {
  const one = c.input.batch.slice(0, 1);
  try {
    const y = await c.loaded.model.predict(one);
    y.dispose();
    const saliency = METHODS.find((m): m is LocalMethodInfo => m.scope === 'local' && m.id === 'saliency');
    if (saliency && c.loaded.model.differentiable) (await saliency.run(c.loaded.model, one, {})).dispose();
  } catch (e) {
    if (!(e instanceof LumenError)) throw e;
  } finally {
    one.dispose();
  }
}

function maxAbsDelta(a: Attribution): number | null {
  const d = a.meta.delta;
  return d && d.length ? Math.max(...d.map(Math.abs)) : null;
}

async function pngOf(method: MethodInfo, a: Attribution, c: DemoCase): Promise<Uint8Array> {
  const figures = await attributionFigures(a, c.input, method.title);
  const img =
    c.kind === 'image'
      ? grid(figures.map((f) => f.blend).filter((x) => x !== undefined), { cols: figures.length, labels: c.labels.map((l) => `digit ${l}`) })
      : grid(figures.map((f) => f.bars?.png).filter((x) => x !== undefined), { cols: 1 });
  return encodePng(img);
}

/** The global methods of the MNIST and penguins cases (demo-global.ts), all but those the concepts case runs. */
async function globalSections(c: DemoCase, rows: DemoRow[], outDir: string, only?: readonly string[]): Promise<ReportSection[]> {
  const query = c.input.batch.slice(0, 1);
  const g: GlobalDemoCase = {
    name: c.name,
    kind: c.kind,
    model: c.loaded.model,
    layer: c.kind === 'image' ? 'relu3' : c.layer,
    lastLayer: c.kind === 'image' ? 'logits' : lastLayerName(c.loaded),
    data: c.kind === 'image' ? bundledDataset('mnist', 200) : bundledDataset('penguins'),
    examples: datasetFromTensors(c.input.batch),
    query,
    ...(c.kind === 'tabular' ? { featureScales: featureScales(c.loaded) } : {}),
  };
  try {
    return await globalCaseSections(g, c.title, rows, outDir, (id) => !only || only.includes(id));
  } finally {
    query.dispose();
  }
}

/** The concepts case (demo-concepts.ts): TCAV and linear CKA on bundled:concepts. */
async function conceptsSections(rows: DemoRow[], outDir: string, only?: readonly string[]): Promise<ReportSection[]> {
  if (only && !CONCEPTS_DEMO_METHODS.some((id) => only.includes(id))) return [];
  const demo = await conceptsDemo();
  try {
    return await globalCaseSections(demo.case, demo.title, rows, outDir, (id) => CONCEPTS_DEMO_METHODS.includes(id) && (!only || only.includes(id)), demo.text);
  } finally {
    demo.dispose();
  }
}

/** The global methods `chosen` on a case: a summary section, then one section per explanation; rows appended to `rows`. */
async function globalCaseSections(g: GlobalDemoCase, title: string, rows: DemoRow[], outDir: string, chosen: (id: string) => boolean, text?: string): Promise<ReportSection[]> {
  const methods = METHODS.filter((m) => m.scope === 'global' && chosen(m.id));
  if (!methods.length) return [];
  const bar = progressBar(`demo ${g.name} (global)`);
  try {
    const runs = await runGlobalDemo(g, methods, outDir, (k) => bar.onProgress({ done: k, total: methods.length }));
    for (const r of runs) rows.push({ dataset: g.name, method: r.method, status: r.status, msPerExample: null, completenessError: null, note: r.ms !== null ? `global, ${(r.ms / 1000).toFixed(1)} s in all` : r.note });
    return [
      {
        title: `Global explanations · ${title}`,
        text: text ?? `Methods that explain the model over a dataset (${g.data.size} held-out rows; attacks and image anchors on the ${g.examples.size} examples above; example-based methods explain the first example). Each result is also written beside this page as JSON; their times are in the table of timings, the methods that did not run under skipped methods.`,
      },
      ...runs.flatMap((r) => (r.section ? [r.section] : [])),
    ];
  } finally {
    bar.stop();
  }
}

function lastLayerName(loaded: LoadedModel): string {
  const layers = loaded.layersModel?.layers;
  return layers?.length ? layers[layers.length - 1].name : 'logits';
}

/**
 * Runs every applicable registry method on a few bundled digits and penguins; writes
 * `<out>/index.html` (self-contained: first each example with its prediction and the methods'
 * heatmaps side by side, then global explanations, the benchmark, the timings and the skipped
 * methods) and one PNG per dataset and method; returns the table rows.
 */
export async function runDemo(outDir: string, options: { digits?: number; penguins?: number; methods?: readonly string[] } = {}): Promise<DemoRow[]> {
  const cases = await demoCases(options.digits ?? 4, options.penguins ?? 4);
  const rows: DemoRow[] = [];
  const exampleSections: ReportSection[] = [];
  const globals: ReportSection[] = [];
  try {
    for (const c of cases) {
      const runs: MethodRun[] = [];
      const methods = METHODS.filter((m) => !options.methods || options.methods.includes(m.id));
      const bar = progressBar(`demo ${c.name}`);
      await warmUp(c);
      for (const [k, method] of methods.entries()) {
        if (method.scope === 'global') continue;
        if (!demoApplies(method, c)) {
          const skipped: DemoRow = { dataset: c.name, method: (method as MethodInfo).id, status: 'skipped', msPerExample: null, completenessError: null, note: demoSkipReason(method as MethodInfo, c) };
          rows.push(skipped);
          runs.push(skipped);
          continue;
        }
        const n = c.input.batch.shape[0];
        const opts: MethodOptions = {
          seed: 0,
          ...(method.layer === 'required' ? { layer: c.layer } : {}),
          ...(method.options.some((o) => o.name === 'neuron') ? { neuron: 0 } : {}),
          ...(method.id === 'lime' && c.background ? { trainingData: c.background } : {}),
        };
        let run: MethodRun;
        let a: Attribution | undefined;
        try {
          const start = performance.now();
          a = await method.run(c.loaded.model, c.input.batch, opts);
          const ms = (performance.now() - start) / n;
          await writeFileAtomic(path.join(outDir, `${c.name}-${method.id}.png`), await pngOf(method, a, c));
          const delta = maxAbsDelta(a);
          const note = `${ms.toFixed(1)} ms/example${delta !== null ? ` · δ ${delta.toExponential(1)}` : ''}`;
          run = { dataset: c.name, method: method.id, status: 'ok', msPerExample: ms, completenessError: delta, tiles: await attributionTiles(a, c.input, method.title, note) };
        } catch (e) {
          // A LumenError says the method does not apply to this model (or needs an option the
          // demo cannot guess); anything else is a bug, shown as 'failed' without stopping the demo.
          const note = e instanceof Error ? e.message.split('\n')[0] : String(e);
          run = { dataset: c.name, method: method.id, status: e instanceof LumenError ? 'skipped' : 'failed', msPerExample: null, completenessError: null, note };
        } finally {
          a?.dispose();
        }
        const { tiles: _tiles, ...row } = run;
        rows.push(row);
        runs.push(run);
        bar.onProgress({ done: k + 1, total: methods.length });
      }
      bar.stop();
      const reportCase: ReportCase = {
        title: c.title,
        text: c.text,
        exampleTitles: c.exampleTitles,
        predictions: await predictionTexts(c.loaded.model, c.input.batch, c.loaded.classNames),
        inputs: inputTiles(c.input, c.exampleTitles),
        runs,
        maxExamples: c.maxExamples,
      };
      exampleSections.push(examplesSection(reportCase));
    }
    for (const c of cases.filter((k) => k.name !== 'mnist-onnx')) globals.push(...(await globalSections(c, rows, outDir, options.methods)));
    globals.push(...(await conceptsSections(rows, outDir, options.methods)));
  } finally {
    for (const c of cases) {
      c.input.batch.dispose();
      c.background?.dispose();
      c.loaded.dispose();
    }
  }
  const benchmark = await benchmarkDemoSection(16, options.methods);
  const skipped = skippedSection(rows);
  const html = renderReport({
    title: 'Lumen demo',
    intro: 'What the bundled models predict on a few held-out examples and what each method says drove the prediction — local methods per example first, then global methods over a dataset, the ground-truth benchmark, the timings and completeness of every method, and the methods skipped with their reasons. Each figure is written beside this page as a PNG too.',
    sections: [...exampleSections, ...globals, benchmark, timingsSection(rows), ...(skipped ? [skipped] : [])],
    footer: `lumen · backend ${tf.getBackend()}`,
  });
  await writeFileAtomic(path.join(outDir, 'index.html'), html);
  return rows;
}

/** `lumen demo [--out dir]`: the main job on the bundled models and data. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('explain bundled digits and penguins with every method; write an HTML report and PNGs')
    .option('--out <dir>', 'output directory', 'lumen-demo')
    .option('--methods <ids>', 'comma-separated method ids (default: all)')
    .action(async (opts: { out: string; methods?: string }) => {
      const methods = opts.methods?.split(',').map((s) => s.trim()).filter(Boolean);
      if (methods !== undefined) {
        check(methods.length > 0, 'option', () => `--methods: expected comma-separated method ids (see lumen methods); found '${opts.methods}'`);
        methods.forEach((id) => methodById(id));
      }
      ensureWritableDir(opts.out, '--out');
      await withBackend(program);
      const rows = await runDemo(opts.out, { methods });
      const num = (v: number | null, digits: number): string => (v === null ? '–' : v < 0.01 && v > 0 ? v.toExponential(1) : v.toFixed(digits));
      process.stdout.write(`${formatTable(
        ['dataset', 'method', 'ms/example', 'completeness error', 'status'],
        rows.map((r) => [r.dataset, r.method, num(r.msPerExample, 1), num(r.completenessError, 4), r.note ? `${r.status}: ${r.note}` : r.status]),
      )}\n`);
      process.stdout.write(`wrote ${path.join(opts.out, 'index.html')}\n`);
      const failed = rows.filter((r) => r.status === 'failed');
      if (failed.length) {
        process.stderr.write(`lumen demo: ${failed.length} method run(s) failed (a bug, not a user mistake): ${failed.map((r) => `${r.dataset}/${r.method}`).join(', ')}\n`);
        process.exitCode = 1;
      }
    });
}
