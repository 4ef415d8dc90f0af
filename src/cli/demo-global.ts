/**
 * The demo's global part: every global registry method (rules, curves, anchors, examples, attacks,
 * concepts, fairness, …) run on a bundled model over a small dataset, each shown by the report
 * section its Explanation kind has (render/explanation-section.ts). A method listed in
 * DEMO_GLOBAL_OPTIONS runs with those options; any other runs with its defaults and a seed, and a
 * LumenError (an option the demo cannot guess, a model it does not fit) is a 'skipped' row with the
 * error's message.
 */
import type * as tf from '@tensorflow/tfjs';
import type { TcavConceptSet } from '../concepts/tcav.js';
import type { Dataset } from '../core/dataset.js';
import { LumenError } from '../core/errors.js';
import type { Explanation, ExamplesExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import type { GlobalMethodInfo, MethodInfo, MethodOptions } from '../core/method-info.js';
import { writeFileAtomic } from '../data/io.js';
import { classRows, datasetRowRecords } from '../examples/dataset-rows.js';
import { examplesGallery, examplesSection } from '../render/examples-gallery.js';
import { explanationSection } from '../render/explanation-section.js';
import { pngDataUri } from '../render/png.js';
import type { ReportSection } from '../render/html-report.js';
import type { FeatureScale } from '../render/rules-text.js';
import path from 'node:path';

/** What a global method of the demo runs on: a bundled model, its dataset and the example it explains. */
export interface GlobalDemoCase {
  readonly name: string;
  readonly kind: 'image' | 'tabular';
  readonly model: Model;
  /** The model's hidden layer that layer-space methods use. */
  readonly layer: string;
  /** The model's last layer (the parameters influence methods differentiate). */
  readonly lastLayer: string;
  readonly data: Dataset;
  /** A small dataset for the slow methods (attacks, image anchors): the demo's own examples. */
  readonly examples: Dataset;
  /** The one example explained by methods that take a query (`input`), [1, ...inputShape]. */
  readonly query: tf.Tensor;
  readonly featureScales?: Record<string, FeatureScale>;
  /** Concept sets, a random pool and the class TCAV explains, where the case has them (bundled:concepts). */
  readonly concepts?: { readonly sets: readonly TcavConceptSet[]; readonly random: Dataset; readonly class: number };
}

/** One global method's run, for the demo's table. */
export interface GlobalDemoRun {
  readonly method: string;
  readonly status: 'ok' | 'skipped' | 'failed';
  readonly ms: number | null;
  readonly note?: string;
  readonly section?: ReportSection;
}

/**
 * `onExamples`: run on the case's examples; `onClass`: on the dataset rows of the query's predicted
 * class; `skip`: the method does not run on this case, for the reason given (a 'skipped' row).
 */
type DemoOptions = (c: GlobalDemoCase) => MethodOptions & { readonly onExamples?: boolean; readonly onClass?: boolean; readonly skip?: string };

/** Options the demo passes per method (shown small so the whole demo stays within a few minutes). */
export const DEMO_GLOBAL_OPTIONS: Readonly<Record<string, DemoOptions>> = {
  fgsm: () => ({ epsilon: 0.15, onExamples: true }),
  pgd: () => ({ radius: 0.15, stepSize: 0.03, steps: 10, onExamples: true }),
  'carlini-wagner-l2': () => ({ steps: 50, binarySearchSteps: 3, onExamples: true }),
  'partial-dependence': () => ({ features: '2', kind: 'both', gridResolution: 20 }),
  ale: () => ({ features: '2' }),
  'surrogate-tree': () => ({ maxDepth: 3 }),
  'pedagogical-rules': () => ({ maxDepth: 3 }),
  distillation: () => ({ maxDepth: 3 }),
  'anchors-tabular': () => ({ rows: '0' }),
  'wachter-counterfactual': () => ({ rows: '0' }),
  dice: () => ({ rows: '0', count: 3 }),
  'prototype-counterfactual': () => ({ rows: '0', maxIterations: 300 }),
  cem: () => ({ rows: '0', mode: 'pn', maxIterations: 100, cSteps: 3 }),
  'anchors-image': () => ({ rows: '0', coverageSamples: 1000, onExamples: true }),
  'nearest-neighbours': (c) => ({ layer: c.layer, input: c.query, k: 5 }),
  'influence-function': (c) => ({ input: c.query, layers: c.lastLayer, k: 5, solver: 'exact' }),
  tracin: (c) => ({ input: c.query, layers: c.lastLayer, k: 5 }),
  'tracin-fast': (c) => ({ input: c.query, k: 5 }),
  'mmd-critic': (c) => ({ prototypes: 4, criticisms: 2, onClass: c.kind === 'image' }),
  // Layer similarity on the CNN's dense layers: its convolution outputs have thousands of units.
  cca: (c) => (c.kind === 'image' ? { layers: `${c.layer},${c.lastLayer}` } : {}),
  svcca: (c) => (c.kind === 'image' ? { layers: `${c.layer},${c.lastLayer}` } : {}),
  'linear-probe': (c) => (c.kind === 'image' ? { layers: `${c.layer},${c.lastLayer}` } : {}),
  // Feature visualisation of every channel of the CNN's last convolutional layer (a grid), with 48
  // Adam steps instead of Lucid's 512 so the demo takes seconds; `lumen visualize` runs all 512.
  'feature-visualization': () => ({ steps: 48 }),
  'top-activating-examples': () => ({ k: 4 }),
  // Penguins carry a sensitive attribute (their one-hot Sex); the digits have none, so the image case skips it.
  'group-fairness': (c) => (c.kind === 'tabular' ? { sensitive: 'Sex', positiveClass: 'Adelie', bootstrap: 200 } : {}),
  // TCAV needs concept sets and a random pool: the concepts case (demo-concepts.ts) has them; 10
  // runs against random sets and 10 random-vs-random runs, Holm-corrected across the concepts.
  tcav: (c) => (c.concepts
    ? { layer: c.layer, class: c.concepts.class, concepts: c.concepts.sets, random: c.concepts.random, runs: 10, correction: 'holm' }
    : { skip: 'needs concept sets and a random pool: shown on bundled:concepts (shapes with planted concepts) below' }),
  'threshold-optimizer': (c) => (c.kind === 'tabular' ? { sensitive: 'Sex', positiveClass: 'Adelie' } : {}),
  'disparity-shapley': () => ({ sensitive: 'Sex', positiveClass: 'Adelie', background: 16 }),
  'attribution-difference': () => ({ sensitive: 'Sex', positiveClass: 'Adelie', bootstrap: 200 }),
};

/** The class the model predicts for the case's query. */
async function predictedClass(c: GlobalDemoCase): Promise<number> {
  const out = await c.model.predict(c.query);
  const scores = await out.data();
  out.dispose();
  return scores.indexOf(Math.max(...scores));
}

/** An examples explanation on images as a report section with its gallery (each query, then its examples with label and score). */
async function examplesGallerySection(e: ExamplesExplanation, c: GlobalDemoCase, data: Dataset, title: string): Promise<ReportSection> {
  const rows = await datasetRowRecords(data, e.examples.map((r) => r.index));
  const [h, w, ch] = c.model.inputShape as [number, number, number];
  const per = h * w * ch;
  const q = await c.query.data();
  const label = (i: number): string => {
    const y = rows.get(i)?.y;
    return y === undefined ? '' : String(data.classNames?.[y] ?? y);
  };
  const picture = examplesGallery(e, {
    image: (i) => ({ data: rows.get(i)?.x ?? new Float32Array(per), height: h, width: w, channels: ch }),
    queryImage: (t) => ({ data: q.subarray(t * per, (t + 1) * per) as Float32Array, height: h, width: w, channels: ch }),
    label,
    scale: w <= 32 ? 3 : 1,
  });
  return examplesSection(e, { title, label, galleryUri: pngDataUri(picture) });
}

/** Whether the demo runs a global method on a case: its input kinds include the case's. */
export function globalDemoApplies(method: MethodInfo, c: Pick<GlobalDemoCase, 'kind'>): method is GlobalMethodInfo {
  return method.scope === 'global' && (method.inputKinds.includes('any') || method.inputKinds.includes(c.kind));
}

/**
 * Runs each applicable global method on the case, writes each explanation as
 * `<out>/<case>-<method>.json`, and returns one run per method with its report section.
 */
export async function runGlobalDemo(c: GlobalDemoCase, methods: readonly MethodInfo[], outDir: string, onDone?: (k: number) => void): Promise<GlobalDemoRun[]> {
  const runs: GlobalDemoRun[] = [];
  for (const [k, method] of methods.entries()) {
    if (!globalDemoApplies(method, c)) continue;
    const { onExamples, onClass, skip, ...options } = { seed: 0, ...(DEMO_GLOBAL_OPTIONS[method.id]?.(c) ?? {}) };
    if (skip !== undefined) {
      runs.push({ method: method.id, status: 'skipped', ms: null, note: skip });
      onDone?.(k + 1);
      continue;
    }
    try {
      const start = performance.now();
      const classOf = onClass ? await predictedClass(c) : undefined;
      const subset = classOf !== undefined ? await classRows(c.data, classOf) : null;
      const data = subset ? subset.data : onExamples ? c.examples : c.data;
      const found: Explanation = await method.run(c.model, data, options);
      // Rows chosen within the class subset are numbered as rows of the whole dataset.
      const e: Explanation = subset && found.kind === 'examples'
        ? { ...found, examples: found.examples.map((r) => ({ ...r, index: subset.origin[r.index] })) }
        : found;
      const ms = performance.now() - start;
      await writeFileAtomic(path.join(outDir, `${c.name}-${method.id}.json`), `${JSON.stringify(e)}\n`);
      const title = `${method.title} · ${c.name}${classOf !== undefined ? ` · class ${c.data.classNames?.[classOf] ?? classOf}` : ''}`;
      const section = e.kind === 'examples' && c.kind === 'image'
        ? await examplesGallerySection(e, c, subset ? c.data : data, title)
        : explanationSection(e, { title, ...(c.featureScales ? { featureScales: c.featureScales } : {}) });
      runs.push({ method: method.id, status: 'ok', ms, section: { ...section, text: [section.text, `${method.paper} · ${(ms / 1000).toFixed(1)} s · ${data.size} rows`].filter(Boolean).join('\n\n') } });
    } catch (e) {
      const note = e instanceof Error ? e.message.split('\n')[0] : String(e);
      runs.push({ method: method.id, status: e instanceof LumenError ? 'skipped' : 'failed', ms: null, note });
    }
    onDone?.(k + 1);
  }
  return runs;
}
