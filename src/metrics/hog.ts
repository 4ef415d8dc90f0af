import { check } from '../core/errors.js';

/** Options of `hogFeatures`. */
export interface HogOptions {
  /** Side of a cell in pixels (default 8, smaller on maps under 16 pixels a side). */
  readonly cellSize?: number;
  /** Orientation bins over [0°, 180°) (default 9). */
  readonly bins?: number;
  /** Side of a normalisation block in cells (default 2). */
  readonly blockSize?: number;
}

/**
 * Histogram of oriented gradients (Dalal & Triggs, "Histograms of Oriented Gradients for Human
 * Detection", CVPR 2005) of an H × W map: centred-difference gradients, unsigned orientations
 * binned by magnitude per cell, overlapping blocks of cells (stride one cell) each normalised with
 * L2-Hys (L2, clip at 0.2, L2 again); the blocks' histograms concatenated. Adebayo et al. (2018)
 * compare saliency maps by the Pearson correlation of their HOG features.
 */
export function hogFeatures(map: ArrayLike<number>, h: number, w: number, options: HogOptions = {}): Float64Array {
  const cell = options.cellSize ?? Math.max(2, Math.min(8, Math.floor(Math.min(h, w) / 2)));
  const bins = options.bins ?? 9;
  const block = options.blockSize ?? 2;
  check(Number.isInteger(cell) && cell >= 1 && Number.isInteger(bins) && bins >= 1 && Number.isInteger(block) && block >= 1, 'option', () =>
    `hogFeatures: cellSize, bins and blockSize must be positive integers; found ${cell}, ${bins}, ${block}`);
  const [cy, cx] = [Math.floor(h / cell), Math.floor(w / cell)];
  check(cy >= block && cx >= block, 'shape', () => `hogFeatures: a ${h}×${w} map has fewer than ${block}×${block} cells of ${cell} pixels; HOG needs image-like maps`);
  const hist = new Float64Array(cy * cx * bins);
  for (let y = 0; y < cy * cell; y++) {
    for (let x = 0; x < cx * cell; x++) {
      const gx = x > 0 && x < w - 1 ? map[y * w + x + 1] - map[y * w + x - 1] : 0;
      const gy = y > 0 && y < h - 1 ? map[(y + 1) * w + x] - map[(y - 1) * w + x] : 0;
      const mag = Math.hypot(gx, gy);
      if (mag === 0) continue;
      let angle = (Math.atan2(gy, gx) * 180) / Math.PI;
      if (angle < 0) angle += 180;
      const bin = Math.min(bins - 1, Math.floor((angle % 180) / (180 / bins)));
      hist[(Math.floor(y / cell) * cx + Math.floor(x / cell)) * bins + bin] += mag;
    }
  }
  const [by, bx] = [cy - block + 1, cx - block + 1];
  const per = block * block * bins;
  const out = new Float64Array(by * bx * per);
  for (let i = 0; i < by; i++) {
    for (let j = 0; j < bx; j++) {
      const v = out.subarray((i * bx + j) * per, (i * bx + j + 1) * per);
      let k = 0;
      for (let a = 0; a < block; a++) for (let b = 0; b < block; b++) for (let o = 0; o < bins; o++) v[k++] = hist[((i + a) * cx + j + b) * bins + o];
      const norm = (): number => Math.sqrt(v.reduce((s, t) => s + t * t, 0) + 1e-10);
      let n = norm();
      for (let q = 0; q < per; q++) v[q] = Math.min(0.2, v[q] / n);
      n = norm();
      for (let q = 0; q < per; q++) v[q] /= n;
    }
  }
  return out;
}
