import { check } from '../../core/errors.js';
import { checkImage, relabelRaster, type PlainImage } from './label-map.js';

/** Options of `felzenszwalb`. */
export interface FelzenszwalbOptions {
  /** k: larger means larger segments (threshold τ(C) = k/|C|, colour distances on a 0–255 scale); default 100. */
  readonly scale?: number;
  /** σ of the Gaussian that smooths each channel first (pixels); default 0.8. */
  readonly sigma?: number;
  /** Segments smaller than this many pixels are merged into a neighbour; default 20. */
  readonly minSize?: number;
}

/**
 * Graph-based segmentation (Felzenszwalb & Huttenlocher, "Efficient Graph-Based Image
 * Segmentation", IJCV 2004): pixels are nodes of an 8-connected grid graph whose edge weights are the
 * Euclidean colour distances (0–255 scale) of the smoothed image; edges are visited by increasing
 * weight (ties by position) and join two components when the weight is at most both components'
 * internal difference plus k/|C|; then components under `minSize` are merged along the lightest
 * edges. Grey and RGB images. Returns labels `[H·W]` numbered 0…K−1 in raster order; deterministic.
 */
export function felzenszwalb(image: PlainImage, options: FelzenszwalbOptions = {}): Int32Array {
  const fn = 'felzenszwalb';
  checkImage(image, fn);
  const k = options.scale ?? 100;
  const sigma = options.sigma ?? 0.8;
  const minSize = options.minSize ?? 20;
  check(k > 0 && Number.isFinite(k), 'option', () => `${fn}: scale must be > 0; found ${k}`);
  check(sigma >= 0 && Number.isFinite(sigma), 'option', () => `${fn}: sigma must be ≥ 0; found ${sigma}`);
  check(Number.isInteger(minSize) && minSize >= 0, 'option', () => `${fn}: minSize must be an integer ≥ 0; found ${minSize}`);
  const { height: h, width: w, channels: c } = image;
  const smooth = smoothChannels(image, sigma);
  const size = h * w;
  const from: number[] = [];
  const to: number[] = [];
  const weight: number[] = [];
  const add = (p: number, q: number): void => {
    let d = 0;
    for (let j = 0; j < c; j++) d += (smooth[p * c + j] - smooth[q * c + j]) ** 2;
    from.push(p);
    to.push(q);
    weight.push(255 * Math.sqrt(d));
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (x < w - 1) add(p, p + 1);
      if (y < h - 1) add(p, p + w);
      if (x < w - 1 && y < h - 1) add(p, p + w + 1);
      if (x < w - 1 && y > 0) add(p, p - w + 1);
    }
  }
  const order = Array.from(weight.keys()).sort((a, b) => weight[a] - weight[b] || a - b);
  const parent = Int32Array.from({ length: size }, (_, i) => i);
  const count = new Int32Array(size).fill(1);
  const threshold = new Float64Array(size).fill(k);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const join = (a: number, b: number): number => {
    if (count[a] < count[b]) [a, b] = [b, a];
    parent[b] = a;
    count[a] += count[b];
    return a;
  };
  for (const e of order) {
    const a = find(from[e]);
    const b = find(to[e]);
    if (a === b || weight[e] > threshold[a] || weight[e] > threshold[b]) continue;
    const r = join(a, b);
    threshold[r] = weight[e] + k / count[r];
  }
  for (const e of order) {
    const a = find(from[e]);
    const b = find(to[e]);
    if (a !== b && (count[a] < minSize || count[b] < minSize)) join(a, b);
  }
  const labels = Int32Array.from({ length: size }, (_, p) => find(p));
  relabelRaster(labels);
  return labels;
}

/** Each channel convolved with a normalised Gaussian of σ (radius ⌈4σ⌉, edges replicated); σ = 0 leaves it. */
function smoothChannels(image: PlainImage, sigma: number): Float64Array {
  const { height: h, width: w, channels: c, data } = image;
  const src = Float64Array.from(data);
  if (sigma === 0) return src;
  const r = Math.ceil(4 * sigma);
  const kernel = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  for (let i = 0; i < kernel.length; i++) kernel[i] /= total;
  const pass = (input: Float64Array, horizontal: boolean): Float64Array => {
    const out = new Float64Array(input.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let j = 0; j < c; j++) {
          let s = 0;
          for (let t = -r; t <= r; t++) {
            const yy = horizontal ? y : Math.min(h - 1, Math.max(0, y + t));
            const xx = horizontal ? Math.min(w - 1, Math.max(0, x + t)) : x;
            s += kernel[t + r] * input[(yy * w + xx) * c + j];
          }
          out[(y * w + x) * c + j] = s;
        }
      }
    }
    return out;
  };
  return pass(pass(src, true), false);
}
