/**
 * Image parameterisations of feature visualisation (Olah et al. 2017, "Feature Visualization";
 * Lucid's `param.image`): the optimised variables and the differentiable map from them to an
 * image batch `[N, H, W, C]` in [0, 1]. Three choices compose: the basis (`'pixels'` or
 * `'fourier'`: a spectrum scaled by 1/frequency^decay), the colour space (decorrelated: Lucid's
 * square root of ImageNet's colour covariance, normalised by its largest column norm, applied to
 * 3-channel images) and the squashing (sigmoid, else clipping to [0, 1]).
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import { Rng } from '../core/random.js';

/** How the image is parameterised (defaults: Lucid's `image(…)`: Fourier, decorrelated colour, sigmoid). */
export interface ImageParamOptions {
  /** `'pixels'`: one variable per pixel; `'fourier'`: a scaled spectrum (default). */
  readonly basis?: 'pixels' | 'fourier';
  /** Decorrelated colour (3-channel images only; default true there). */
  readonly decorrelate?: boolean;
  /** Squash with a sigmoid (default true); else clip to [0, 1]. */
  readonly sigmoid?: boolean;
  /** Power of the Fourier basis' frequency decay (default 1). */
  readonly decayPower?: number;
  /**
   * Standard deviation of the initial variables (default 2 for pixels, 4 for Fourier; Lucid's is
   * 0.01). Lucid's near-grey start sits on a plateau for small ReLU networks whose units are dead on
   * flat grey: on `bundled:concepts` the 'striped' logit stays at −2.2 for 256 steps from sd 0.01
   * or 1, and climbs past 200 from pixels sd 2 or Fourier sd 4 (seeds 1 and 2).
   */
  readonly sd?: number;
}

/** An image parameterisation: its variables and the image they make (the caller owns the result). */
export interface ImageParam {
  readonly variables: readonly tf.Variable[];
  readonly shape: readonly [number, number, number, number];
  image(): tf.Tensor4D;
  dispose(): void;
}

/** Lucid's colour correlation square root (ImageNet), rows RGB. */
const COLOR_SQRT = [[0.26, 0.09, 0.02], [0.27, 0.0, -0.05], [0.27, -0.09, 0.03]];

/** The colour matrix applied to decorrelated channels (`rgb = t · M`), normalised by the largest column norm. */
function colourMatrix(): tf.Tensor2D {
  let max = 0;
  for (let j = 0; j < 3; j++) max = Math.max(max, Math.hypot(COLOR_SQRT[0][j], COLOR_SQRT[1][j], COLOR_SQRT[2][j]));
  // rgb_i = Σ_j C[i][j] t_j / max  ⇒  as a right-multiplication, M[j][i] = C[i][j] / max
  return tf.tensor2d([0, 1, 2].map((j) => [0, 1, 2].map((i) => COLOR_SQRT[i][j] / max)));
}

/** The real inverse 2-D DFT as two products: `[.., H, Wf]` (re, im) → `[.., H, W]` (numpy's irfft2). */
function inverseDftMatrices(h: number, w: number): { cy: tf.Tensor2D; sy: tf.Tensor2D; cx: tf.Tensor2D; sx: tf.Tensor2D } {
  const wf = Math.floor(w / 2) + 1;
  const cy = new Float32Array(h * h);
  const sy = new Float32Array(h * h);
  for (let y = 0; y < h; y++) for (let u = 0; u < h; u++) {
    cy[y * h + u] = Math.cos((2 * Math.PI * u * y) / h) / h;
    sy[y * h + u] = Math.sin((2 * Math.PI * u * y) / h) / h;
  }
  const cx = new Float32Array(wf * w);
  const sx = new Float32Array(wf * w);
  for (let v = 0; v < wf; v++) {
    const weight = v === 0 || (w % 2 === 0 && v === w / 2) ? 1 : 2;
    for (let x = 0; x < w; x++) {
      cx[v * w + x] = (weight * Math.cos((2 * Math.PI * v * x) / w)) / w;
      sx[v * w + x] = (weight * Math.sin((2 * Math.PI * v * x) / w)) / w;
    }
  }
  return { cy: tf.tensor2d(cy, [h, h]), sy: tf.tensor2d(sy, [h, h]), cx: tf.tensor2d(cx, [wf, w]), sx: tf.tensor2d(sx, [wf, w]) };
}

/** Lucid's spectrum scale: 1 / max(|f|, 1/max(H, W))^decay, times √(H·W), for `[H, Wf]` frequencies. */
function spectrumScale(h: number, w: number, decay: number): Float32Array {
  const wf = Math.floor(w / 2) + 1;
  const out = new Float32Array(h * wf);
  for (let u = 0; u < h; u++) {
    const fy = (u <= h / 2 ? u : u - h) / h;
    for (let v = 0; v < wf; v++) {
      const f = Math.hypot(fy, v / w);
      out[u * wf + v] = Math.sqrt(h * w) / Math.max(f, 1 / Math.max(h, w)) ** decay;
    }
  }
  return out;
}

/** A trainable variable holding `values` (the initial tensor is freed). */
function variableOf(values: Float32Array, shape: [number, number, number, number]): tf.Variable {
  const init = tf.tensor4d(values, shape);
  const v = tf.variable(init, true);
  init.dispose();
  return v;
}

/**
 * An image parameterisation of `[batch, height, width, channels]` (see the file comment), its
 * initial variables drawn from `seed`. The Fourier basis follows Lucid's `fft_image`: a complex
 * spectrum ~ N(0, sd²) scaled by `spectrumScale`, the real inverse DFT, divided by 4.
 */
export function imageParam(shape: readonly [number, number, number, number], seed: number, options: ImageParamOptions = {}): ImageParam {
  const [n, h, w, c] = shape;
  check(shape.every((d) => Number.isInteger(d) && d >= 1), 'shape', () => `imageParam: shape must be [batch, height, width, channels] of positive integers; found [${shape}]`);
  const basis = options.basis ?? 'fourier';
  check(basis === 'pixels' || basis === 'fourier', 'option', () => `imageParam: basis must be 'pixels' or 'fourier'; found '${basis}'`);
  const decorrelate = options.decorrelate ?? c === 3;
  check(!decorrelate || c === 3, 'option', () => `imageParam: decorrelated colour needs 3 channels; found ${c}`);
  const sigmoid = options.sigmoid ?? true;
  const decay = options.decayPower ?? 1;
  const sd = options.sd ?? (basis === 'pixels' ? 2 : 4);
  const rng = new Rng(seed);
  const wf = Math.floor(w / 2) + 1;
  const owned: tf.Tensor[] = [];
  let variables: tf.Variable[];
  let raw: () => tf.Tensor4D;
  if (basis === 'pixels') {
    const v = variableOf(rng.normals(n * h * w * c, 0, sd), [n, h, w, c]);
    variables = [v];
    raw = () => v as unknown as tf.Tensor4D;
  } else {
    // spectra [n, c, h, wf], real and imaginary parts
    const re = variableOf(rng.normals(n * c * h * wf, 0, sd), [n, c, h, wf]);
    const im = variableOf(rng.normals(n * c * h * wf, 0, sd), [n, c, h, wf]);
    variables = [re, im];
    const m = inverseDftMatrices(h, w);
    const scale = tf.tensor2d(spectrumScale(h, w, decay), [h, wf]);
    owned.push(m.cy, m.sy, m.cx, m.sx, scale);
    raw = () => tf.tidy(() => {
      const r = tf.mul(re, scale).reshape([n * c, h, wf]);
      const i = tf.mul(im, scale).reshape([n * c, h, wf]);
      const cy = tf.broadcastTo(m.cy, [n * c, h, h]);
      const sy = tf.broadcastTo(m.sy, [n * c, h, h]);
      const zr = tf.sub(tf.matMul(cy, r), tf.matMul(sy, i));
      const zi = tf.add(tf.matMul(sy, r), tf.matMul(cy, i));
      const img = tf.sub(tf.matMul(zr.reshape([n * c * h, wf]), m.cx), tf.matMul(zi.reshape([n * c * h, wf]), m.sx));
      return img.reshape([n, c, h, w]).transpose([0, 2, 3, 1]).div(4) as tf.Tensor4D;
    });
  }
  const colour = decorrelate ? colourMatrix() : null;
  if (colour) owned.push(colour);
  return {
    variables,
    shape: [n, h, w, c],
    image: () => tf.tidy(() => {
      let t: tf.Tensor4D = raw();
      if (colour) t = tf.matMul(t.reshape([n * h * w, 3]), colour).reshape([n, h, w, 3]);
      return sigmoid ? tf.sigmoid(t) : tf.clipByValue(t, 0, 1);
    }),
    dispose: () => tf.dispose([...variables, ...owned]),
  };
}
