/**
 * Several RGBA images → one: a rows × cols grid with padding and a background, each image
 * centred in a cell the size of the largest, with optional ASCII labels (built-in 5×7 font)
 * under each cell.
 */
import { check } from '../core/errors.js';
import { drawText, fitText, GLYPH_HEIGHT, measureText } from './font.js';
import { blit, checkColor, checkRgba, createRgba, type Color, type RgbaBuffer, type RgbaImage } from './image.js';

/** Options of `grid`. */
export interface GridOptions {
  /** Columns (default: all images in one row). Rows follow: ⌈n / cols⌉. */
  readonly cols?: number;
  /** Pixels between cells and around the grid (default 4). */
  readonly padding?: number;
  /** Background colour (default opaque white). */
  readonly background?: Color;
  /** One label per image (or fewer), drawn under its cell; long labels are shortened with '..'. */
  readonly labels?: readonly string[];
  /** Label colour (default dark grey). */
  readonly labelColor?: Color;
  /** Integer scale of the label font (default 1: 7 px tall glyphs). */
  readonly labelScale?: number;
}

/** Lays `images` out in a grid and returns one RGBA image. */
export function grid(images: readonly RgbaImage[], opts: GridOptions = {}): RgbaBuffer {
  check(Array.isArray(images) && images.length > 0, 'input', () => `grid: expected a non-empty array of images; found ${Array.isArray(images) ? 'an empty array' : String(images)}`);
  images.forEach((img, i) => checkRgba(img, `grid: image ${i}`));
  const n = images.length;
  const cols = opts.cols ?? n;
  check(Number.isInteger(cols) && cols >= 1, 'option', () => `grid: cols must be a positive integer; found ${String(cols)}`);
  const pad = opts.padding ?? 4;
  check(Number.isInteger(pad) && pad >= 0, 'option', () => `grid: padding must be a non-negative integer; found ${String(pad)}`);
  const background = opts.background ?? [255, 255, 255, 255];
  checkColor(background, 'grid', 'background');
  const labelColor = opts.labelColor ?? [40, 40, 40];
  checkColor(labelColor, 'grid', 'labelColor');
  const labelScale = opts.labelScale ?? 1;
  check(Number.isInteger(labelScale) && labelScale >= 1 && labelScale <= 8, 'option', () => `grid: labelScale must be an integer in 1–8; found ${String(labelScale)}`);
  const labels = opts.labels ?? [];
  check(Array.isArray(labels) && labels.length <= n, 'option', () => `grid: ${labels.length} labels for ${n} images`);

  const rows = Math.ceil(n / Math.min(cols, n));
  const usedCols = Math.min(cols, n);
  const cellW = Math.max(...images.map((im) => im.width));
  const cellH = Math.max(...images.map((im) => im.height));
  const labelH = labels.some((l) => l !== undefined && l !== '') ? GLYPH_HEIGHT * labelScale + 2 * Math.max(2, labelScale) : 0;
  const width = usedCols * cellW + (usedCols + 1) * pad;
  const height = rows * (cellH + labelH) + (rows + 1) * pad;
  const out = createRgba(width, height, background);
  images.forEach((img, i) => {
    const r = Math.floor(i / usedCols);
    const c = i % usedCols;
    const x0 = pad + c * (cellW + pad);
    const y0 = pad + r * (cellH + labelH + pad);
    blit(out, img, x0 + Math.floor((cellW - img.width) / 2), y0 + Math.floor((cellH - img.height) / 2));
    const label = labels[i];
    if (label) {
      const text = fitText(String(label), cellW, labelScale);
      const { width: tw } = measureText(text, labelScale);
      drawText(out, text, x0 + Math.floor((cellW - tw) / 2), y0 + cellH + Math.max(2, labelScale), labelColor, labelScale);
    }
  });
  return out;
}
