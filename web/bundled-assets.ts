/**
 * Vite plugin: copies the bundled models the dashboard offers (mnist, its ONNX export, penguins,
 * spam) into the build as `models/<name>/…` and writes `samples.json` — a few sample inputs per
 * model, read at build time with the compiled library (dist/src/data/; `npm run build` first):
 * one held-out MNIST digit per class, held-out penguins (encoded with the model's stored
 * standardisation) and held-out SpamAssassin emails as token ids of the model's vocabulary.
 * It also writes the rows of the CLI's bundled datasets (`--data bundled:mnist`, `bundled:penguins`:
 * the held-out sets of src/data/dataset-files.ts, same order) so example galleries loaded from CLI
 * JSON show the rows they name: `datasets/index.json` and `datasets/mnist.bin` (2,000 digits, one
 * byte a pixel, round(255·v)), fetched by the page only when a gallery asks for them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'vite';

/** What `samples.json` holds for one model: inputs `[N, ...shape]` flattened, with labels for the picker. */
export interface SampleSet {
  readonly model: string;
  readonly kind: 'image' | 'tabular' | 'text';
  readonly shape: readonly number[];
  readonly labels: readonly string[];
  readonly data: readonly number[];
  readonly featureNames?: readonly string[];
  /** Text samples: the words at each position ('' at PAD). */
  readonly tokens?: readonly (readonly string[])[];
}

const MODEL_FILES: Record<string, readonly string[]> = {
  mnist: ['model.json', 'weights.bin', 'meta.json'],
  'mnist-onnx': ['mnist.onnx'],
  penguins: ['model.json', 'weights.bin', 'meta.json'],
  spam: ['model.json', 'weights.bin', 'meta.json', 'vocab.json'],
};

async function distModule<T>(root: string, file: string): Promise<T> {
  const full = path.join(root, 'dist', 'src', file);
  try {
    return (await import(pathToFileURL(full).href)) as T;
  } catch (e) {
    throw new Error(`bundled-assets: cannot load ${full} (run npm run build first): ${(e as Error).message}`);
  }
}

async function mnistSamples(root: string): Promise<SampleSet> {
  const { loadMnist } = await distModule<typeof import('../src/data/mnist.js')>(root, 'data/mnist.js');
  const { seededSplit } = await distModule<typeof import('../src/data/split.js')>(root, 'data/split.js');
  const { MNIST_HELD_OUT, MNIST_SPLIT_SEED } = await distModule<typeof import('../src/data/mnist.js')>(root, 'data/mnist.js');
  const digits = loadMnist();
  const heldOut = seededSplit(digits.count, MNIST_HELD_OUT, MNIST_SPLIT_SEED).heldOut;
  const picked: number[] = [];
  for (let k = 0; k < 10; k++) picked.push(Array.from(heldOut).find((i) => digits.labels[i] === k)!);
  const data = picked.flatMap((i) => Array.from(digits.images.subarray(i * 784, (i + 1) * 784)));
  return { model: 'mnist', kind: 'image', shape: [28, 28, 1], labels: picked.map((i) => `digit ${digits.labels[i]} (#${i})`), data };
}

async function penguinSamples(root: string): Promise<SampleSet> {
  const p = await distModule<typeof import('../src/data/penguins.js')>(root, 'data/penguins.js');
  const meta = JSON.parse(readFileSync(path.join(root, 'models', 'penguins', 'meta.json'), 'utf8')) as { standardization: import('../src/data/penguins.js').Standardization };
  const data = p.loadPenguins();
  const heldOut = Array.from(p.penguinSplit(data).heldOut);
  const picked = [0, 1, 2].map((k) => heldOut.find((i) => data.labels[i] === k)!);
  const rows = picked.map((i) => data.rows[i]);
  return {
    model: 'penguins', kind: 'tabular', shape: [p.PENGUIN_FEATURES.length], featureNames: p.PENGUIN_FEATURES,
    labels: rows.map((r, j) => `${r.species} on ${r.island} (#${picked[j]})`),
    data: Array.from(p.encodePenguins(rows, meta.standardization)),
  };
}

async function spamSamples(root: string): Promise<SampleSet> {
  const s = await distModule<typeof import('../src/data/spam.js')>(root, 'data/spam.js');
  const v = await distModule<typeof import('../src/text/vocabulary.js')>(root, 'text/vocabulary.js');
  const vocabulary: import('../src/text/vocabulary.js').Vocabulary = { tokens: JSON.parse(readFileSync(path.join(root, 'models', 'spam', 'vocab.json'), 'utf8')) as string[] };
  const emails = s.loadSpamAssassin();
  const heldOut = Array.from(s.spamSplit(emails).heldOut);
  const picked = [0, 0, 1, 1].map((label, j) => heldOut.filter((i) => emails[i].label === label && v.wordTokens(emails[i].body).length >= 30)[j % 2]);
  const encoded = picked.map((i) => v.encodeText(vocabulary, emails[i].body, 120));
  return {
    model: 'spam', kind: 'text', shape: [120],
    labels: picked.map((i) => `${s.SPAM_CLASSES[emails[i].label]} ${emails[i].id}`),
    data: encoded.flatMap((e) => Array.from(e.ids)),
    tokens: encoded.map((e) => e.words),
  };
}

/** What `datasets/index.json` says of one bundled dataset (web/src/dataset-rows.ts reads it). */
export interface BundledRows {
  readonly name: string;
  readonly shape: readonly number[];
  readonly count: number;
  readonly labels: readonly number[];
  readonly classNames: readonly string[];
  /** Image sets: the file of one byte per value (round(255·v)), row-major. */
  readonly file?: string;
  /** Tables: each row's raw fields, as a person reads them. */
  readonly rows?: readonly (readonly string[])[];
  readonly columns?: readonly string[];
}

async function bundledRows(root: string): Promise<{ index: BundledRows[]; mnist: Uint8Array }> {
  const m = await distModule<typeof import('../src/data/mnist.js')>(root, 'data/mnist.js');
  const digits = m.loadMnist();
  const held = Array.from(m.mnistSplit(digits).heldOut);
  const mnist = new Uint8Array(held.length * 784);
  held.forEach((k, i) => { for (let j = 0; j < 784; j++) mnist[i * 784 + j] = Math.round(255 * digits.images[k * 784 + j]!); });
  const p = await distModule<typeof import('../src/data/penguins.js')>(root, 'data/penguins.js');
  const penguins = p.loadPenguins();
  const pHeld = Array.from(p.penguinSplit(penguins).heldOut);
  return {
    mnist,
    index: [
      { name: 'bundled:mnist', shape: [28, 28, 1], count: held.length, labels: held.map((k) => digits.labels[k]!), classNames: m.MNIST_CLASSES, file: 'mnist.bin' },
      {
        name: 'bundled:penguins', shape: [p.PENGUIN_FEATURES.length], count: pHeld.length, labels: pHeld.map((k) => penguins.labels[k]!), classNames: p.PENGUIN_CLASSES,
        columns: ['island', 'sex', ...p.PENGUIN_MEASUREMENTS], rows: pHeld.map((k) => { const r = penguins.rows[k]!; return [r.island, r.sex, ...r.measurements.map(String)]; }),
      },
    ],
  };
}

/** The plugin: emits the model files and samples.json into the build. */
export function bundledAssets(root: string): Plugin {
  return {
    name: 'lumen-bundled-assets',
    apply: 'build',
    async generateBundle() {
      for (const [name, files] of Object.entries(MODEL_FILES)) {
        for (const file of files) {
          this.emitFile({ type: 'asset', fileName: `models/${name}/${file}`, source: readFileSync(path.join(root, 'models', name, file)) });
        }
      }
      const samples = [await mnistSamples(root), await penguinSamples(root), await spamSamples(root)];
      this.emitFile({ type: 'asset', fileName: 'samples.json', source: JSON.stringify(samples) });
      const rows = await bundledRows(root);
      this.emitFile({ type: 'asset', fileName: 'datasets/index.json', source: JSON.stringify(rows.index) });
      this.emitFile({ type: 'asset', fileName: 'datasets/mnist.bin', source: rows.mnist });
      // `lumen serve` answers this path itself ({server: true, models, data}); a static host serves this file.
      this.emitFile({ type: 'asset', fileName: 'lumen-serve.json', source: JSON.stringify({ server: false }) });
    },
  };
}
