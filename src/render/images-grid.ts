/**
 * The `'images'` renderer: an ImagesExplanation (feature visualisations, first-layer filters) as
 * one RGBA grid, each image `[H, W, C]` in [0, 1] drawn as grey (C = 1) or RGB (C = 3), upscaled
 * by nearest neighbour to at least `minSize` px, labelled under its cell; and as a report section.
 */
import { check } from '../core/errors.js';
import type { ImageRecord, ImagesExplanation } from '../core/explanation.js';
import { grid } from './grid.js';
import type { ReportSection } from './html-report.js';
import { createRgba, upscaleNearest, type RgbaBuffer } from './image.js';
import { pngDataUri } from './png.js';

/** One image record as RGBA (values clamped to [0, 1]). */
export function imageRecordRgba(r: ImageRecord): RgbaBuffer {
  const [h, w, c] = r.shape;
  check(c === 1 || c === 3, 'shape', () => `imageRecordRgba: '${r.label}' must have 1 or 3 channels; found ${c}`);
  check(r.data.length === h * w * c, 'shape', () => `imageRecordRgba: '${r.label}' has ${r.data.length} values; expected ${h}×${w}×${c} = ${h * w * c}`);
  const out = createRgba(w, h);
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < 3; k++) out.data[4 * p + k] = Math.round(255 * Math.min(1, Math.max(0, r.data[p * c + (c === 1 ? 0 : k)])));
  }
  return out;
}

/** Options of `imagesGrid`. */
export interface ImagesGridOptions {
  /** Columns (default ⌈√n⌉). */
  readonly cols?: number;
  /** Images are upscaled by an integer factor to at least this side (default 64). */
  readonly minSize?: number;
  /** Draw each image's label under it (default true). */
  readonly labels?: boolean;
}

/** Every image of an `'images'` explanation in one labelled grid. */
export function imagesGrid(e: ImagesExplanation, options: ImagesGridOptions = {}): RgbaBuffer {
  check(e.images.length > 0, 'input', () => `imagesGrid: expected at least one image; '${e.method}' has none`);
  const minSize = options.minSize ?? 64;
  const cells = e.images.map((r) => {
    const rgba = imageRecordRgba(r);
    const factor = Math.max(1, Math.ceil(minSize / Math.max(rgba.width, rgba.height)));
    return factor > 1 ? upscaleNearest(rgba, factor) : rgba;
  });
  return grid(cells, { cols: options.cols ?? Math.ceil(Math.sqrt(cells.length)), ...(options.labels === false ? {} : { labels: e.images.map((r) => r.label) }) });
}

/** An `'images'` explanation as an HTML report section with its grid. */
export function imagesSection(e: ImagesExplanation, options: ImagesGridOptions & { readonly title?: string; readonly text?: string } = {}): ReportSection {
  const img = imagesGrid(e, options);
  return {
    title: options.title ?? `Images (${e.method})`,
    ...(options.text ? { text: options.text } : {}),
    figures: [{ image: pngDataUri(img), caption: e.method, note: `${e.images.length} images`, width: Math.min(img.width, 720) }],
  };
}
