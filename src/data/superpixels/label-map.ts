import { check } from '../../core/errors.js';

/** An image as the segmenters read it: `[height, width, channels]` row-major, values in [0, 1]. */
export interface PlainImage {
  readonly data: ArrayLike<number>;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** Checks an image's fields and size for `fn`, naming what was expected and found. */
export function checkImage(image: PlainImage, fn: string): void {
  const { height, width, channels, data } = image;
  check(Number.isInteger(height) && height >= 1 && Number.isInteger(width) && width >= 1, 'input', () => `${fn}: image height and width must be positive integers; found ${height}×${width}`);
  check(channels === 1 || channels === 3, 'input', () => `${fn}: expects a grey (1 channel) or RGB (3 channels) image; found ${channels} channels`);
  check(data.length === height * width * channels, 'shape', () => `${fn}: image data has ${data.length} values; expected ${height}×${width}×${channels} = ${height * width * channels}`);
  for (let i = 0; i < data.length; i++) check(Number.isFinite(data[i]), 'input', () => `${fn}: image has a non-finite value (${data[i]}) at index ${i}`);
}

/** Renumbers a label map 0…K−1 in the order labels first appear in raster order; returns K. */
export function relabelRaster(labels: Int32Array): number {
  const map = new Map<number, number>();
  for (let p = 0; p < labels.length; p++) {
    let l = map.get(labels[p]);
    if (l === undefined) {
      l = map.size;
      map.set(labels[p], l);
    }
    labels[p] = l;
  }
  return map.size;
}

/** Per-pixel features (`[pixels, channels]`) that decide which neighbour a small segment joins. */
export interface PixelFeatures {
  readonly data: ArrayLike<number>;
  readonly channels: number;
}

/**
 * Makes every segment 4-connected and at least `minSize` pixels: connected components of equal
 * labels become segments, then each component smaller than `minSize` (smallest first) joins a
 * neighbouring component: the one whose mean `features` are nearest (so that a fragment does not
 * cross an edge of the image), or without features the one it shares the longest border with (ties:
 * longest border, then lowest index). Returns labels 0…K−1 in raster order.
 */
export function enforceConnectivity(labels: Int32Array, height: number, width: number, minSize: number, features?: PixelFeatures): Int32Array {
  const size = height * width;
  const comp = new Int32Array(size).fill(-1);
  const counts: number[] = [];
  const stack = new Int32Array(size);
  for (let p = 0; p < size; p++) {
    if (comp[p] >= 0) continue;
    const id = counts.length;
    let top = 0;
    let count = 0;
    stack[top++] = p;
    comp[p] = id;
    while (top > 0) {
      const q = stack[--top];
      count++;
      const y = Math.floor(q / width);
      const x = q - y * width;
      const visit = (r: number): void => {
        if (comp[r] < 0 && labels[r] === labels[q]) {
          comp[r] = id;
          stack[top++] = r;
        }
      };
      if (x > 0) visit(q - 1);
      if (x < width - 1) visit(q + 1);
      if (y > 0) visit(q - width);
      if (y < height - 1) visit(q + width);
    }
    counts.push(count);
  }
  const parent = counts.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const sizes = [...counts];
  const members: number[][] = counts.map(() => []);
  for (let p = 0; p < size; p++) members[comp[p]].push(p);
  const ch = features?.channels ?? 0;
  const sums = new Float64Array(counts.length * ch);
  if (features) for (let p = 0; p < size; p++) for (let j = 0; j < ch; j++) sums[comp[p] * ch + j] += features.data[p * ch + j];
  const gap = (a: number, b: number): number => {
    let d = 0;
    for (let j = 0; j < ch; j++) d += (sums[a * ch + j] / sizes[a] - sums[b * ch + j] / sizes[b]) ** 2;
    return d;
  };
  const order = counts.map((_, i) => i).sort((a, b) => counts[a] - counts[b] || a - b);
  for (const k of order) {
    const root = find(k);
    if (sizes[root] >= minSize || sizes[root] === size) continue;
    const border = new Map<number, number>();
    for (const p of members[root]) {
      const y = Math.floor(p / width);
      const x = p - y * width;
      const note = (r: number): void => {
        const o = find(comp[r]);
        if (o !== root) border.set(o, (border.get(o) ?? 0) + 1);
      };
      if (x > 0) note(p - 1);
      if (x < width - 1) note(p + 1);
      if (y > 0) note(p - width);
      if (y < height - 1) note(p + width);
    }
    let best = -1;
    let most = 0;
    let nearest = Infinity;
    for (const [o, n] of border) {
      const d = gap(root, o);
      if (d < nearest || (d === nearest && (n > most || (n === most && o < best)))) [best, most, nearest] = [o, n, d];
    }
    if (best < 0) continue;
    parent[root] = best;
    sizes[best] += sizes[root];
    for (let j = 0; j < ch; j++) sums[best * ch + j] += sums[root * ch + j];
    for (const p of members[root]) members[best].push(p);
    members[root] = [];
  }
  const out = Int32Array.from(comp, (c) => find(c));
  relabelRaster(out);
  return out;
}
