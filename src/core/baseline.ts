import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from './errors.js';
import { Rng } from './random.js';

/**
 * The reference input a path or difference method starts from: `'zeros'`, `'mean'` (each
 * example's mean, per channel for images), `'blur'` (a Gaussian blur of an image), `'uniform'`
 * (seeded uniform noise over the input's range), a number, a tensor `[...inputShape]` or
 * `[N, ...inputShape]`, or a function of the input.
 */
export type Baseline = 'zeros' | 'mean' | 'blur' | 'uniform' | number | tf.Tensor | ((x: tf.Tensor) => tf.Tensor);

/** Options that some baseline kinds read. */
export interface BaselineOptions {
  readonly seed?: number;
  /** Standard deviation, in pixels, of the `'blur'` baseline. */
  readonly blurSigma?: number;
}

/**
 * A baseline made into a tensor of the input's shape `[N, ...]` (the caller owns it).
 * Checks shapes and names what was expected and found.
 */
export function resolveBaseline(baseline: Baseline | undefined, x: tf.Tensor, fn: string, options: BaselineOptions = {}): tf.Tensor {
  const b = baseline ?? 'zeros';
  if (typeof b === 'function') return fitBaseline(b(x), x, fn, true);
  if (b instanceof tf.Tensor) return fitBaseline(b, x, fn, false);
  if (typeof b === 'number') return tf.fill(x.shape, b);
  switch (b) {
    case 'zeros':
      return tf.zerosLike(x);
    case 'mean':
      return tf.tidy(() => {
        const axes = x.rank >= 4 ? x.shape.slice(1, -1).map((_, i) => i + 1) : x.shape.slice(1).map((_, i) => i + 1);
        return tf.mean(x, axes, true).mul(tf.onesLike(x));
      });
    case 'blur':
      check(x.rank === 4, 'option', () => `${fn}: the 'blur' baseline needs images [N,H,W,C]; found shape [${x.shape}]`);
      return gaussianBlur(x as tf.Tensor4D, options.blurSigma ?? 5);
    case 'uniform':
      return tf.tidy(() => {
        const data = x.dataSync();
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of data) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        const rng = new Rng(options.seed ?? 0);
        return tf.tensor(rng.uniforms(data.length, lo, hi), x.shape);
      });
    default:
      throw new LumenError('option', `${fn}: baseline must be 'zeros', 'mean', 'blur', 'uniform', a number, a tensor or a function; found '${String(b)}'`);
  }
}

function fitBaseline(b: tf.Tensor, x: tf.Tensor, fn: string, owned: boolean): tf.Tensor {
  const one = x.shape.slice(1);
  const same = (s: readonly number[], t: readonly number[]): boolean => s.length === t.length && s.every((v, i) => v === t[i]);
  if (same(b.shape, x.shape)) return owned ? b : b.clone();
  if (same(b.shape, one) || same(b.shape, [1, ...one])) {
    const out = tf.tidy(() => b.reshape([1, ...one]).tile([x.shape[0], ...one.map(() => 1)]));
    if (owned) b.dispose();
    return out;
  }
  if (owned) b.dispose();
  throw new LumenError('shape', `${fn}: baseline shape [${b.shape}] must be the input's [${x.shape}] or one example's [${one}]`);
}

/** A separable Gaussian blur of images `[N,H,W,C]` (edges replicated). */
function gaussianBlur(x: tf.Tensor4D, sigma: number): tf.Tensor {
  return tf.tidy(() => {
    const radius = Math.max(1, Math.min(Math.ceil(3 * sigma), x.shape[1] - 1, x.shape[2] - 1));
    const k = new Float32Array(2 * radius + 1);
    let sum = 0;
    for (let i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
    for (let i = 0; i < k.length; i++) k[i] /= sum;
    const c = x.shape[3];
    const row = tf.tensor4d(k, [1, k.length, 1, 1]).tile([1, 1, c, 1]);
    const col = tf.tensor4d(k, [k.length, 1, 1, 1]).tile([1, 1, c, 1]);
    const padded = tf.mirrorPad(x, [[0, 0], [radius, radius], [radius, radius], [0, 0]], 'symmetric');
    const h = tf.depthwiseConv2d(padded, row as tf.Tensor4D, 1, 'valid');
    return tf.depthwiseConv2d(h, col as tf.Tensor4D, 1, 'valid');
  });
}
