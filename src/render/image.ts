/**
 * The two image shapes the render folder speaks, and their checks.
 *
 * - `FloatImage`: row-major [H, W, C] floats (an input image in [0, 1] or an attribution map);
 *   `channels` may be omitted for an [H, W] map.
 * - `RgbaImage`: row-major 8-bit RGBA, 4 bytes per pixel, ready for `encodePng`.
 */
import { check } from '../core/errors.js';

/** Row-major [H, W, C] floats; `channels` defaults to 1 (an [H, W] map). */
export interface FloatImage {
  readonly data: ArrayLike<number>;
  readonly height: number;
  readonly width: number;
  readonly channels?: number;
}

/** Row-major 8-bit RGBA pixels: `data.length === width * height * 4`. */
export interface RgbaImage {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/** An RgbaImage this folder creates: always a Uint8ClampedArray (what canvas ImageData uses). */
export interface RgbaBuffer extends RgbaImage {
  readonly data: Uint8ClampedArray;
}

/** An RGB or RGBA colour with 0–255 components (alpha defaults to 255). */
export type Color = readonly [number, number, number] | readonly [number, number, number, number];

function isDim(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0;
}

/**
 * Checks a FloatImage (positive integer sizes, `data.length === H·W·C`) and returns its channel
 * count. `who` prefixes the error message, e.g. `'heatmap'`.
 */
export function checkFloatImage(img: FloatImage, who: string, what = 'data'): number {
  check(img !== null && typeof img === 'object' && img.data !== undefined, 'input', () => `${who}: ${what} must be {data, height, width, channels}; found ${String(img)}`);
  const c = img.channels ?? 1;
  check(isDim(img.height) && isDim(img.width) && isDim(c), 'shape', () =>
    `${who}: ${what} height, width and channels must be positive integers; found ${String(img.height)}×${String(img.width)}×${String(c)}`);
  const expected = img.height * img.width * c;
  check(img.data.length === expected, 'shape', () =>
    `${who}: ${what} has ${img.data.length} values; expected H×W×C = ${img.height}×${img.width}×${c} = ${expected}`);
  return c;
}

/** Checks an RgbaImage (positive integer sizes, `data.length === W·H·4`). */
export function checkRgba(img: RgbaImage, who: string): void {
  check(img !== null && typeof img === 'object' && img.data !== undefined, 'input', () => `${who}: image must be {data, width, height}; found ${String(img)}`);
  check(isDim(img.height) && isDim(img.width), 'shape', () =>
    `${who}: image width and height must be positive integers; found ${String(img.width)}×${String(img.height)}`);
  const expected = img.width * img.height * 4;
  check(img.data.length === expected, 'shape', () =>
    `${who}: RGBA data has ${img.data.length} values; expected W×H×4 = ${img.width}×${img.height}×4 = ${expected}`);
}

/** Checks a colour: 3 or 4 numbers in [0, 255]. */
export function checkColor(color: Color, who: string, what = 'colour'): void {
  check(Array.isArray(color) && (color.length === 3 || color.length === 4) && color.every((v) => typeof v === 'number' && v >= 0 && v <= 255), 'option', () =>
    `${who}: ${what} must be [r, g, b] or [r, g, b, a] with components in 0–255; found ${JSON.stringify(color)}`);
}

/** A new RGBA image of the given size filled with `fill` (default opaque white). */
export function createRgba(width: number, height: number, fill: Color = [255, 255, 255, 255]): RgbaBuffer {
  check(isDim(width) && isDim(height), 'shape', () => `createRgba: width and height must be positive integers; found ${width}×${height}`);
  checkColor(fill, 'createRgba', 'fill');
  const data = new Uint8ClampedArray(width * height * 4);
  const [r, g, b] = fill;
  const a = fill[3] ?? 255;
  for (let i = 0; i < data.length; i += 4) {
    data[i] = r;
    data[i + 1] = g;
    data[i + 2] = b;
    data[i + 3] = a;
  }
  return { data, width, height };
}

/** Nearest-neighbour upscaling by an integer factor (e.g. 28×28 → 224×224 with `factor = 8`). */
export function upscaleNearest(img: RgbaImage, factor: number): RgbaBuffer {
  checkRgba(img, 'upscaleNearest');
  check(Number.isInteger(factor) && factor >= 1 && factor <= 64, 'option', () => `upscaleNearest: factor must be an integer in 1–64; found ${factor}`);
  const w = img.width * factor;
  const h = img.height * factor;
  const out = new Uint8ClampedArray(w * h * 4);
  const src = img.data;
  for (let y = 0; y < h; y++) {
    const sy = Math.floor(y / factor);
    const rowOut = y * w * 4;
    const rowIn = sy * img.width * 4;
    for (let x = 0; x < w; x++) {
      const si = rowIn + Math.floor(x / factor) * 4;
      const oi = rowOut + x * 4;
      out[oi] = src[si]!;
      out[oi + 1] = src[si + 1]!;
      out[oi + 2] = src[si + 2]!;
      out[oi + 3] = src[si + 3]!;
    }
  }
  return { data: out, width: w, height: h };
}

/** Copies `src` into `dst` with its top-left corner at (x, y), alpha-compositing over `dst`. */
export function blit(dst: RgbaImage, src: RgbaImage, x: number, y: number): void {
  for (let sy = 0; sy < src.height; sy++) {
    const dy = y + sy;
    if (dy < 0 || dy >= dst.height) continue;
    for (let sx = 0; sx < src.width; sx++) {
      const dx = x + sx;
      if (dx < 0 || dx >= dst.width) continue;
      const si = (sy * src.width + sx) * 4;
      const di = (dy * dst.width + dx) * 4;
      const a = src.data[si + 3]! / 255;
      if (a >= 1) {
        dst.data[di] = src.data[si]!;
        dst.data[di + 1] = src.data[si + 1]!;
        dst.data[di + 2] = src.data[si + 2]!;
        dst.data[di + 3] = 255;
      } else if (a > 0) {
        const da = dst.data[di + 3]! / 255;
        const oa = a + da * (1 - a);
        for (let k = 0; k < 3; k++) {
          dst.data[di + k] = Math.round((src.data[si + k]! * a + dst.data[di + k]! * da * (1 - a)) / oa);
        }
        dst.data[di + 3] = Math.round(oa * 255);
      }
    }
  }
}

/** Fills the rectangle [x, x+w) × [y, y+h) of `img` with an opaque colour (clipped to the image). */
export function fillRect(img: RgbaImage, x: number, y: number, w: number, h: number, color: Color): void {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(img.width, Math.floor(x + w));
  const y1 = Math.min(img.height, Math.floor(y + h));
  const a = color[3] ?? 255;
  for (let yy = y0; yy < y1; yy++) {
    for (let xx = x0; xx < x1; xx++) {
      const i = (yy * img.width + xx) * 4;
      img.data[i] = color[0];
      img.data[i + 1] = color[1];
      img.data[i + 2] = color[2];
      img.data[i + 3] = a;
    }
  }
}
