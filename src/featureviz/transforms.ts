/**
 * Lucid's "standard transforms" for transformation robustness (Olah et al. 2017): each step the
 * image is padded by 12 px (value 0.5), jittered by up to 8 px, scaled by one of 0.90, 0.92, …, 1.10,
 * rotated by one of −10…10° (0° five times more often) and jittered by up to 4 px. Lucid tunes the
 * pixel sizes for 224-px inputs; Lumen scales them by the input's shorter side over 224, rounded,
 * at least 1 (28-32 px: pad 2, jitter 1, jitter 1), and keeps scale and angle (relative) as they
 * are. Scale and rotation are one bilinear warp, sampled so that the result has the input's size.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Rng } from '../core/random.js';

/** The transforms' sizes for one input size (see `scaledTransforms`). */
export interface TransformOptions {
  readonly pad: number;
  readonly jitter1: number;
  readonly scales: readonly number[];
  readonly angles: readonly number[];
  readonly jitter2: number;
}

/** Lucid's values at 224 px. */
export const LUCID_TRANSFORMS: TransformOptions = {
  pad: 12, jitter1: 8, jitter2: 4,
  scales: Array.from({ length: 11 }, (_, i) => 1 + (i - 5) / 50),
  angles: [...Array.from({ length: 21 }, (_, i) => i - 10), 0, 0, 0, 0, 0],
};

/** Lucid's transforms with pixel sizes scaled to an input of `height × width` (file comment). */
export function scaledTransforms(height: number, width: number): TransformOptions {
  const f = Math.min(height, width) / 224;
  const px = (v: number) => Math.max(1, Math.round(v * f));
  return { ...LUCID_TRANSFORMS, pad: px(LUCID_TRANSFORMS.pad), jitter1: px(LUCID_TRANSFORMS.jitter1), jitter2: px(LUCID_TRANSFORMS.jitter2) };
}

/** A random crop that removes up to `j` px in each direction (Lucid's `jitter(j)`: crop to size − j). */
function jitter(t: tf.Tensor4D, j: number, rng: Rng): tf.Tensor4D {
  if (j <= 0) return t;
  const [n, h, w, c] = t.shape;
  return tf.slice(t, [0, rng.int(j + 1), rng.int(j + 1), 0], [n, h - j, w - j, c]);
}

/**
 * Samples an `outH × outW` image from `t` around its centre, scaled by `s` and rotated by `deg`
 * (bilinear; out-of-range corners clamp to the border), as gathers so gradients flow to `t`.
 */
function warp(t: tf.Tensor4D, s: number, deg: number, outH: number, outW: number): tf.Tensor4D {
  const [n, h, w, c] = t.shape;
  const a = (deg * Math.PI) / 180;
  const [cos, sin] = [Math.cos(a), Math.sin(a)];
  const idx = [new Int32Array(outH * outW), new Int32Array(outH * outW), new Int32Array(outH * outW), new Int32Array(outH * outW)];
  const wts = [new Float32Array(outH * outW), new Float32Array(outH * outW), new Float32Array(outH * outW), new Float32Array(outH * outW)];
  const clampY = (v: number) => Math.min(h - 1, Math.max(0, v));
  const clampX = (v: number) => Math.min(w - 1, Math.max(0, v));
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const dy = oy + 0.5 - outH / 2;
      const dx = ox + 0.5 - outW / 2;
      // inverse map: rotate by −a, shrink by s
      const sy = (cos * dy - sin * dx) / s + h / 2 - 0.5;
      const sx = (sin * dy + cos * dx) / s + w / 2 - 0.5;
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const fy = sy - y0;
      const fx = sx - x0;
      const p = oy * outW + ox;
      const corners: [number, number, number][] = [[y0, x0, (1 - fy) * (1 - fx)], [y0, x0 + 1, (1 - fy) * fx], [y0 + 1, x0, fy * (1 - fx)], [y0 + 1, x0 + 1, fy * fx]];
      corners.forEach(([yy, xx, wt], k) => {
        idx[k][p] = clampY(yy) * w + clampX(xx);
        wts[k][p] = wt;
      });
    }
  }
  return tf.tidy(() => {
    const flat = t.reshape([n, h * w, c]);
    let out: tf.Tensor | null = null;
    for (let k = 0; k < 4; k++) {
      const term = tf.mul(tf.gather(flat, tf.tensor1d(idx[k], 'int32'), 1), tf.tensor3d(wts[k], [1, outH * outW, 1]));
      out = out === null ? term : tf.add(out, term);
    }
    return (out as tf.Tensor).reshape([n, outH, outW, c]) as tf.Tensor4D;
  });
}

/**
 * One random draw of the transforms applied to an image batch `[N, H, W, C]`: pad, jitter, scale
 * and rotate, jitter; the result has the input's size `H × W`. One draw per step for the whole batch,
 * as in Lucid. Differentiable in `image`.
 */
export function randomTransform(image: tf.Tensor4D, options: TransformOptions, rng: Rng): tf.Tensor4D {
  const [, h, w] = image.shape;
  check(options.pad >= 0 && options.jitter1 >= 0 && options.jitter2 >= 0, 'option', () => `randomTransform: pad and jitter must be ≥ 0; found ${options.pad}, ${options.jitter1}, ${options.jitter2}`);
  const s = options.scales.length ? options.scales[rng.int(options.scales.length)] : 1;
  const deg = options.angles.length ? options.angles[rng.int(options.angles.length)] : 0;
  return tf.tidy(() => {
    const padded = options.pad > 0 ? tf.pad(image, [[0, 0], [options.pad, options.pad], [options.pad, options.pad], [0, 0]], 0.5) : image;
    const jittered = jitter(padded, options.jitter1, rng);
    const warped = warp(jittered, s, deg, h + options.jitter2, w + options.jitter2);
    return jitter(warped, options.jitter2, rng);
  });
}
