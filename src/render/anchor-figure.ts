/**
 * The figure of an image anchor or a sparse perturbation: the input, and beside it the input with
 * everything outside the anchor's superpixels dimmed (Anchors' usual picture), one row per image.
 */
import { check } from '../core/errors.js';
import { grid } from './grid.js';
import { createRgba, upscaleNearest, type FloatImage, type RgbaBuffer } from './image.js';

/** One image's panels: the input and its anchor (pixels whose superpixel is in `kept`; others at `dim` brightness on grey). */
export function anchorPanels(image: FloatImage, segments: ArrayLike<number>, kept: readonly number[], upscale = 1, dim = 0.25): RgbaBuffer[] {
  const c = image.channels ?? 1;
  const n = image.width * image.height;
  check(segments.length === n, 'shape', () => `anchorPanels: expected a label per pixel (${n}); found ${segments.length}`);
  const keep = new Set(kept);
  const input = createRgba(image.width, image.height);
  const anchor = createRgba(image.width, image.height);
  for (let p = 0; p < n; p++) {
    const on = keep.has(segments[p]);
    for (let k = 0; k < 3; k++) {
      const v = Math.min(1, Math.max(0, image.data[p * c + (c === 1 ? 0 : k)]));
      input.data[4 * p + k] = Math.round(255 * v);
      anchor.data[4 * p + k] = Math.round(255 * (on ? v : 0.5 + dim * (v - 0.5)));
    }
    if (!on) anchor.data[4 * p + 2] = Math.min(255, anchor.data[4 * p + 2] + 40);
  }
  return [upscaleNearest(input, upscale), upscaleNearest(anchor, upscale)];
}

/** Input and anchor panels of several images in one grid, two columns, labelled. */
export function anchorFigure(items: readonly { readonly image: FloatImage; readonly segments: ArrayLike<number>; readonly kept: readonly number[]; readonly label: string }[], upscale = 1): RgbaBuffer {
  check(items.length > 0, 'input', () => 'anchorFigure: expected at least one image; found none');
  const panels = items.flatMap((it) => anchorPanels(it.image, it.segments, it.kept, upscale));
  const labels = items.flatMap((it) => ['input', it.label]);
  return grid(panels, { cols: 2, labels });
}
