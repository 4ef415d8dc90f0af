import { check } from '../../core/errors.js';
import { rgbToLab } from './cielab.js';
import { checkImage, enforceConnectivity, type PlainImage } from './label-map.js';

/** Options of `slic`. */
export interface SlicOptions {
  /** Approximate number of superpixels (the grid of initial centres); default 100. */
  readonly segments?: number;
  /** m: weight of spatial against colour distance (colour on CIELAB's 0–100 scale); default 10. */
  readonly compactness?: number;
  /** k-means iterations; default 10. */
  readonly iterations?: number;
  /** Make every segment connected, merging pieces smaller than minSizeFactor × the mean segment size into the neighbour nearest in colour; default true. */
  readonly enforceConnectivity?: boolean;
  /** Default 0.5 (scikit-image's). */
  readonly minSizeFactor?: number;
}

/**
 * SLIC superpixels (Achanta et al., "SLIC Superpixels Compared to State-of-the-Art Superpixel
 * Methods", TPAMI 2012): k-means on [colour, position] with centres seeded on a regular grid of step
 * S = √(HW/n) (moved to the lowest gradient of their 3×3 neighbourhood), each centre searching a 2S×2S
 * window, distance D = √(d_c² + (d_s/S)² m²). Colour is CIELAB for RGB and 100 × intensity for grey
 * (the same 0–100 scale, so one compactness suits both). Returns labels `[H·W]` numbered 0…K−1 in
 * raster order; deterministic.
 */
export function slic(image: PlainImage, options: SlicOptions = {}): Int32Array {
  const fn = 'slic';
  checkImage(image, fn);
  const { height: h, width: w, channels } = image;
  const n = options.segments ?? 100;
  const m = options.compactness ?? 10;
  const iterations = options.iterations ?? 10;
  check(Number.isInteger(n) && n >= 1, 'option', () => `${fn}: segments must be a positive integer; found ${n}`);
  check(m > 0 && Number.isFinite(m), 'option', () => `${fn}: compactness must be > 0; found ${m}`);
  check(Number.isInteger(iterations) && iterations >= 1, 'option', () => `${fn}: iterations must be a positive integer; found ${iterations}`);
  const colour = channels === 3 ? rgbToLab(image.data) : Float64Array.from(image.data, (v) => 100 * v);
  const c = channels;
  const size = h * w;
  const step = Math.max(1, Math.sqrt(size / n));
  const ny = Math.max(1, Math.min(h, Math.round(h / step)));
  const nx = Math.max(1, Math.min(w, Math.round(w / step)));
  const k = ny * nx;
  const cy = new Float64Array(k);
  const cx = new Float64Array(k);
  const cc = new Float64Array(k * c);
  const gradient = (y: number, x: number): number => {
    if (y <= 0 || x <= 0 || y >= h - 1 || x >= w - 1) return Infinity;
    let g = 0;
    for (let j = 0; j < c; j++) {
      g += (colour[(y * w + x + 1) * c + j] - colour[(y * w + x - 1) * c + j]) ** 2;
      g += (colour[((y + 1) * w + x) * c + j] - colour[((y - 1) * w + x) * c + j]) ** 2;
    }
    return g;
  };
  for (let i = 0; i < ny; i++) {
    for (let j = 0; j < nx; j++) {
      let y = Math.floor(((i + 0.5) * h) / ny);
      let x = Math.floor(((j + 0.5) * w) / nx);
      let best = gradient(y, x);
      const y0 = y;
      const x0 = x;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const g = gradient(y0 + dy, x0 + dx);
          if (g < best) [best, y, x] = [g, y0 + dy, x0 + dx];
        }
      }
      const id = i * nx + j;
      cy[id] = y;
      cx[id] = x;
      for (let q = 0; q < c; q++) cc[id * c + q] = colour[(y * w + x) * c + q];
    }
  }
  const labels = new Int32Array(size).fill(-1);
  const dist = new Float64Array(size);
  const spatial = (m / step) ** 2;
  const window = Math.ceil(step);
  for (let it = 0; it < iterations; it++) {
    dist.fill(Infinity);
    for (let id = 0; id < k; id++) {
      const ylo = Math.max(0, Math.floor(cy[id] - window));
      const yhi = Math.min(h - 1, Math.ceil(cy[id] + window));
      const xlo = Math.max(0, Math.floor(cx[id] - window));
      const xhi = Math.min(w - 1, Math.ceil(cx[id] + window));
      for (let y = ylo; y <= yhi; y++) {
        for (let x = xlo; x <= xhi; x++) {
          const p = y * w + x;
          let d = spatial * ((y - cy[id]) ** 2 + (x - cx[id]) ** 2);
          for (let q = 0; q < c; q++) d += (colour[p * c + q] - cc[id * c + q]) ** 2;
          if (d < dist[p]) {
            dist[p] = d;
            labels[p] = id;
          }
        }
      }
    }
    const sy = new Float64Array(k);
    const sx = new Float64Array(k);
    const sc = new Float64Array(k * c);
    const count = new Float64Array(k);
    for (let p = 0; p < size; p++) {
      const id = labels[p];
      if (id < 0) continue;
      const y = Math.floor(p / w);
      sy[id] += y;
      sx[id] += p - y * w;
      for (let q = 0; q < c; q++) sc[id * c + q] += colour[p * c + q];
      count[id]++;
    }
    for (let id = 0; id < k; id++) {
      if (!count[id]) continue;
      cy[id] = sy[id] / count[id];
      cx[id] = sx[id] / count[id];
      for (let q = 0; q < c; q++) cc[id * c + q] = sc[id * c + q] / count[id];
    }
  }
  // A pixel no window reached (possible only at odd grid remainders) takes its left or upper neighbour's label.
  for (let p = 0; p < size; p++) if (labels[p] < 0) labels[p] = p % w > 0 ? labels[p - 1] : p >= w ? labels[p - w] : 0;
  const minSize = options.enforceConnectivity === false ? 0 : Math.floor((options.minSizeFactor ?? 0.5) * (size / k));
  return enforceConnectivity(labels, h, w, minSize, { data: colour, channels: c });
}
