/**
 * The ground-truth benchmark's images: an MNIST digit pasted at a random place on textured clutter,
 * with distractor shapes elsewhere. The digit alone decides the label; the distractors are drawn
 * independently of it. Every image comes with the mask of the digit (the evidence) and of the
 * distractors, and with two ablated copies (no digit; no distractors) that show what the model uses.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../../core/errors.js';
import { Rng } from '../../core/random.js';
import { loadMnist, mnistSplit, MNIST_SIZE, type MnistData } from '../../data/mnist.js';

/** Side of a ground-truth image (pixels; one grey channel). */
export const GROUND_TRUTH_SIZE = 32;
/** Side of the pasted digit: an MNIST digit averaged 2 × 2. */
export const GROUND_TRUTH_DIGIT = MNIST_SIZE / 2;
/** The distractor shapes. */
export const DISTRACTOR_KINDS = ['square', 'ring', 'plus', 'bar', 'triangle'] as const;

/** Options of `groundTruthData`. */
export interface GroundTruthOptions {
  /** Seed of every draw (digit, place, clutter, distractors); default 0. */
  readonly seed?: number;
  /** Which digits are pasted: the bundled MNIST split's 'train' digits or its 'held-out' ones (default). */
  readonly split?: 'train' | 'held-out';
  /** Distractor shapes per image (default 2). */
  readonly distractors?: number;
  /** Amplitude of the clutter texture, in [0, 1) (default 0.35; the digit's strokes reach 1). */
  readonly clutter?: number;
}

/** `count` generated images, flat NHWC `[count, 32, 32, 1]`, with their labels and masks. */
export interface GroundTruthData {
  readonly count: number;
  readonly size: number;
  readonly images: Float32Array;
  /** The digit's class: the label. */
  readonly labels: Int32Array;
  /** 1 inside the digit's tight bounding box (the region that decides the label), else 0. */
  readonly regions: Float32Array;
  /** 1 on the distractors' pixels, else 0. */
  readonly distractors: Float32Array;
  /** The same images without the digit (clutter and distractors only). */
  readonly withoutRegion: Float32Array;
  /** The same images without the distractors (clutter and digit only). */
  readonly withoutDistractors: Float32Array;
}

/** A 14 × 14 digit: the 28 × 28 MNIST image averaged over 2 × 2 blocks, scaled to max 1. */
function smallDigit(data: MnistData, k: number): Float32Array {
  const s = GROUND_TRUTH_DIGIT;
  const out = new Float32Array(s * s);
  const base = k * MNIST_SIZE * MNIST_SIZE;
  let max = 0;
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      let v = 0;
      for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) v += data.images[base + (2 * y + dy) * MNIST_SIZE + 2 * x + dx];
      out[y * s + x] = v / 4;
      max = Math.max(max, v / 4);
    }
  }
  if (max > 0) for (let i = 0; i < out.length; i++) out[i] /= max;
  return out;
}

/** Clutter: three random oriented gratings, rescaled to [0, amplitude], plus uniform grain. */
function clutter(rng: Rng, size: number, amplitude: number): Float32Array {
  const waves = Array.from({ length: 3 }, () => ({
    angle: rng.uniform() * Math.PI, freq: 0.3 + 0.9 * rng.uniform(), phase: 2 * Math.PI * rng.uniform(), amp: 0.3 + 0.7 * rng.uniform(),
  }));
  const out = new Float32Array(size * size);
  let [lo, hi] = [Infinity, -Infinity];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let v = 0;
      for (const w of waves) v += w.amp * Math.cos(w.freq * (x * Math.cos(w.angle) + y * Math.sin(w.angle)) + w.phase);
      out[y * size + x] = v;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = (amplitude * 0.8 * (out[i] - lo)) / (hi - lo || 1) + amplitude * 0.2 * rng.uniform();
  return out;
}

/** A distractor shape of side `s` as an s × s coverage map. */
function shape(kind: (typeof DISTRACTOR_KINDS)[number], s: number, rng: Rng): Float32Array {
  const out = new Float32Array(s * s);
  const c = (s - 1) / 2;
  const vertical = rng.uniform() < 0.5;
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      const r = Math.hypot(y - c, x - c);
      let on: boolean;
      switch (kind) {
        case 'square': on = true; break;
        case 'ring': on = r <= c + 0.5 && r >= c - 1.2; break;
        case 'plus': on = Math.abs(y - c) <= 1 || Math.abs(x - c) <= 1; break;
        case 'bar': on = vertical ? Math.abs(x - c) <= 1 : Math.abs(y - c) <= 1; break;
        case 'triangle': on = Math.abs(x - c) <= (y + 1) / 2; break;
      }
      out[y * s + x] = on ? 1 : 0;
    }
  }
  return out;
}

/** Paints `cover` (intensity `v`) at (top, left) over `img`: img + cover·v·(1 − img). */
function paint(img: Float32Array, size: number, cover: Float32Array, s: number, top: number, left: number, v: number): void {
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      const q = (top + y) * size + left + x;
      img[q] += cover[y * s + x] * v * (1 - img[q]);
    }
  }
}

/**
 * Generates `count` ground-truth images from `seed` (same seed → same images): each pastes a
 * bundled MNIST digit (from the chosen split) averaged to 14 × 14 at a uniformly random place of a
 * 32 × 32 clutter texture, and `distractors` shapes (square, ring, plus, bar, triangle; 5–9 px,
 * intensity 0.7–1) at random places that do not touch the digit's box. The label is the digit's class.
 * A benchmark in the spirit of Arras et al. (CLEVR-XAI, 2022) and Yang & Kim (BIM, 2019): the
 * region that decides the label is known by construction.
 */
export function groundTruthData(count: number, options: GroundTruthOptions = {}): GroundTruthData {
  check(Number.isInteger(count) && count >= 1, 'option', () => `groundTruthData: count must be a positive integer; found ${count}`);
  const nd = options.distractors ?? 2;
  check(Number.isInteger(nd) && nd >= 0 && nd <= 6, 'option', () => `groundTruthData: distractors must be an integer in 0…6; found ${nd}`);
  const amplitude = options.clutter ?? 0.35;
  check(amplitude >= 0 && amplitude < 1, 'option', () => `groundTruthData: clutter must be in [0, 1); found ${amplitude}`);
  const split = options.split ?? 'held-out';
  check(split === 'train' || split === 'held-out', 'option', () => `groundTruthData: split must be 'train' or 'held-out'; found '${String(split)}'`);
  const data = loadMnist();
  const pool = split === 'train' ? mnistSplit(data).train : mnistSplit(data).heldOut;
  const S = GROUND_TRUTH_SIZE;
  const D = GROUND_TRUTH_DIGIT;
  const P = S * S;
  const rng = new Rng(options.seed ?? 0);
  const out = {
    count, size: S, images: new Float32Array(count * P), labels: new Int32Array(count), regions: new Float32Array(count * P),
    distractors: new Float32Array(count * P), withoutRegion: new Float32Array(count * P), withoutDistractors: new Float32Array(count * P),
  };
  for (let i = 0; i < count; i++) {
    const k = pool[rng.int(pool.length)];
    out.labels[i] = data.labels[k];
    const digit = smallDigit(data, k);
    const [top, left] = [rng.int(S - D + 1), rng.int(S - D + 1)];
    const bg = clutter(rng, S, amplitude);
    // The digit's tight box: the evidence region.
    let [y0, y1, x0, x1] = [D, -1, D, -1];
    for (let y = 0; y < D; y++) for (let x = 0; x < D; x++) if (digit[y * D + x] > 0.2) [y0, y1, x0, x1] = [Math.min(y0, y), Math.max(y1, y), Math.min(x0, x), Math.max(x1, x)];
    const region = out.regions.subarray(i * P, (i + 1) * P);
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) region[(top + y) * S + left + x] = 1;
    const shapes: { cover: Float32Array; s: number; top: number; left: number; v: number }[] = [];
    const taken = (t: number, l: number, s: number): boolean => {
      const boxes = [{ t: top + y0, l: left + x0, s2: y1 - y0 + 1, w: x1 - x0 + 1 }, ...shapes.map((b) => ({ t: b.top, l: b.left, s2: b.s, w: b.s }))];
      return boxes.some((b) => t <= b.t + b.s2 && b.t <= t + s && l <= b.l + b.w && b.l <= l + s);
    };
    for (let d = 0; d < nd; d++) {
      const kind = DISTRACTOR_KINDS[rng.int(DISTRACTOR_KINDS.length)];
      const s = 5 + rng.int(5);
      const v = 0.7 + 0.3 * rng.uniform();
      const cover = shape(kind, s, rng);
      for (let attempt = 0; attempt < 50; attempt++) {
        const [t, l] = [rng.int(S - s + 1), rng.int(S - s + 1)];
        if (!taken(t, l, s)) {
          shapes.push({ cover, s, top: t, left: l, v });
          break;
        }
      }
    }
    const img = Float32Array.from(bg);
    const noDigit = Float32Array.from(bg);
    const noShapes = Float32Array.from(bg);
    for (const b of shapes) {
      paint(img, S, b.cover, b.s, b.top, b.left, b.v);
      paint(noDigit, S, b.cover, b.s, b.top, b.left, b.v);
      const mask = out.distractors.subarray(i * P, (i + 1) * P);
      for (let y = 0; y < b.s; y++) for (let x = 0; x < b.s; x++) if (b.cover[y * b.s + x] > 0) mask[(b.top + y) * S + b.left + x] = 1;
    }
    paint(img, S, digit, D, top, left, 1);
    paint(noShapes, S, digit, D, top, left, 1);
    out.images.set(img, i * P);
    out.withoutRegion.set(noDigit, i * P);
    out.withoutDistractors.set(noShapes, i * P);
  }
  return out;
}

/** A `[count, 32, 32, 1]` tensor of one of the data's image arrays (the caller disposes it). */
export function groundTruthTensor(data: GroundTruthData, images: Float32Array = data.images): tf.Tensor4D {
  return tf.tensor4d(images, [data.count, data.size, data.size, 1]);
}
