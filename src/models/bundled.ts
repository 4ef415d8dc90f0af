/**
 * The models bundled with the package (`models/mnist/`, `models/penguins/` at the package root):
 * tfjs Layers models trained by `npm run train` (scripts/train.ts), with their metadata.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { LumenError } from '../core/errors.js';
import type { Standardization } from '../data/penguins.js';
import { loadLayersModel } from './model-io.js';
import { loadOnnx, type OnnxModel } from './onnx/load-onnx.js';
import type { Vocabulary } from '../text/vocabulary.js';

export const BUNDLED_MODELS = ['mnist', 'penguins', 'groundtruth', 'spam', 'spam-transformer', 'spam-decoder', 'concepts'] as const;
export type BundledName = (typeof BUNDLED_MODELS)[number];

/** `meta.json` beside a bundled model's weights. */
export interface BundledMeta {
  readonly name: BundledName;
  readonly description: string;
  /** Input shape of one example (no batch dimension): `[28, 28, 1]` or `[9]`. */
  readonly inputShape: number[];
  /** `'onnx'` for a model exported from PyTorch (`file` beside meta.json, its `sha256`); a tfjs Layers model otherwise. */
  readonly format?: 'onnx';
  readonly file?: string;
  readonly sha256?: string;
  /** Token models: the layer whose output is the token embedding (what gradient methods explain). */
  readonly embeddingLayer?: string;
  /** ONNX models: the logits PyTorch gave for the first held-out rows (a check of the import). */
  readonly referenceLogits?: number[][];
  /** `'generation'` for a causal language model (`bundled:spam-decoder`: next-word logits at every position, `outputShape` [T, V]). */
  readonly task?: 'generation';
  readonly outputShape?: number[];
  /** A generation model's reference numbers from PyTorch (scripts/train-text-decoder.py; read by its tests). */
  readonly reference?: Readonly<Record<string, unknown>>;
  /** What the last layer outputs: raw class scores (no softmax). */
  readonly outputs: 'logits';
  readonly classNames: string[];
  /** Names of the input features (penguins). */
  readonly featureNames?: string[];
  /** Train-split mean/std of the measurements, applied before the model (penguins). */
  readonly standardization?: Standardization;
  /** Names of the layers, in order (for `layer` options and capture). */
  readonly layers: string[];
  /** How the model was trained and how well it does on the held-out split (no timings, so retraining reproduces the file). */
  readonly training: {
    readonly seed: number;
    readonly splitSeed: number;
    readonly trainCount: number;
    readonly heldOutCount: number;
    readonly epochs: number;
    readonly heldOutAccuracy: number;
    readonly backend: string;
    readonly batchSize?: number;
    readonly learningRate?: number;
    /** Generation models: mean next-word cross-entropy on the held-out windows (heldOutAccuracy is next-word accuracy). */
    readonly heldOutLoss?: number;
  };
}

/** The package root: this file is compiled to `dist/src/models/bundled.js`, three levels below it. */
export function packageRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** Directory of a bundled model (`<package root>/models/<name>`). */
export function bundledModelDir(name: BundledName): string {
  return path.join(packageRoot(), 'models', name);
}

function checkName(name: string): BundledName {
  if (!(BUNDLED_MODELS as readonly string[]).includes(name)) {
    throw new LumenError('model', `bundled model must be one of ${BUNDLED_MODELS.join(', ')}; found '${name}'`);
  }
  return name as BundledName;
}

/** Reads a bundled model's `meta.json`. */
export async function loadBundledMeta(name: BundledName | string): Promise<BundledMeta> {
  const file = path.join(bundledModelDir(checkName(name)), 'meta.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new LumenError('file', `${file}: expected the bundled model's meta.json; found no such file (run npm run train)`);
  }
  try {
    const meta = JSON.parse(text) as BundledMeta;
    if (!Array.isArray(meta.inputShape) || !Array.isArray(meta.classNames)) throw new Error('inputShape or classNames missing');
    return meta;
  } catch (e) {
    throw new LumenError('file', `${file}: expected a JSON object with inputShape and classNames; found ${(e as Error).message}`);
  }
}

/**
 * The word vocabulary of a bundled text model (`vocab.json` beside its weights: the word of every
 * id, PAD 0 and UNK 1), or undefined for models that take no text.
 */
export async function loadBundledVocabulary(name: BundledName | string): Promise<Vocabulary | undefined> {
  const file = path.join(bundledModelDir(checkName(name)), 'vocab.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const tokens = JSON.parse(text) as unknown;
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) throw new LumenError('file', `${file}: expected a JSON list of words; found ${typeof tokens}`);
  return { tokens: tokens as string[] };
}

/**
 * Loads a bundled ONNX model (`format: 'onnx'` in its meta.json: the transformer encoder trained by
 * scripts/train-text-transformer.py) with Lumen's ONNX importer, so gradients reach its embedding.
 */
export async function loadBundledOnnx(name: BundledName | string): Promise<{ model: OnnxModel; meta: BundledMeta }> {
  const checked = checkName(name);
  const meta = await loadBundledMeta(checked);
  if (meta.format !== 'onnx' || !meta.file) throw new LumenError('model', `bundled:${checked} is a tfjs Layers model, not ONNX; load it with loadBundledModel`);
  const model = await loadOnnx(path.join(bundledModelDir(checked), meta.file), { inputLayout: 'nhwc', name: meta.name });
  return { model, meta };
}

/** Loads a bundled model and its metadata. */
export async function loadBundledModel(name: BundledName | string): Promise<{ model: tf.LayersModel; meta: BundledMeta }> {
  const checked = checkName(name);
  const meta = await loadBundledMeta(checked);
  if (meta.format === 'onnx') throw new LumenError('model', `bundled:${checked} is an ONNX model; load it with loadBundledOnnx`);
  const model = await loadLayersModel(bundledModelDir(checked));
  return { model, meta };
}
