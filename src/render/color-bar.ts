/**
 * A horizontal colour bar with its scale, drawn under a heatmap so a picture says what its colours
 * mean (matplotlib's `colorbar`, as Captum's `visualize_image_attr` shows beside its maps).
 */
import { check } from '../core/errors.js';
import { colormap } from './colormap.js';
import { drawText, fitText, GLYPH_HEIGHT, measureText } from './font.js';
import { formatNumber } from './format.js';
import type { SignMode } from './heatmap.js';
import { blit, createRgba, fillRect, type RgbaBuffer } from './image.js';

/** Options of `colorBar`. */
export interface ColorBarOptions {
  /** Width in pixels (default 168). */
  readonly width?: number;
  /** Height of the colour strip in pixels (default 8). */
  readonly barHeight?: number;
}

/**
 * A colour bar for a map normalised with `scale` under `sign` (see `normalizeAttribution`): the
 * colours from one end of `colormapName` to the other, labelled `-scale`, `0`, `scale` for sign
 * `'all'` and `0`, `scale` otherwise (`'negative'` shows magnitudes of negative values). A scale
 * of 0 (an all-zero map) is labelled 0 at both ends.
 */
export function colorBar(colormapName: string, sign: SignMode, scale: number, opts: ColorBarOptions = {}): RgbaBuffer {
  const width = opts.width ?? 168;
  const barHeight = opts.barHeight ?? 8;
  check(Number.isInteger(width) && width >= 16, 'option', () => `colorBar: width must be an integer ≥ 16; found ${String(width)}`);
  check(Number.isInteger(barHeight) && barHeight >= 1, 'option', () => `colorBar: barHeight must be a positive integer; found ${String(barHeight)}`);
  check(Number.isFinite(scale) && scale >= 0, 'numeric', () => `colorBar: scale must be a finite number ≥ 0; found ${scale}`);
  const { lut } = colormap(colormapName);
  const out = createRgba(width, barHeight + GLYPH_HEIGHT + 4);
  for (let x = 0; x < width; x++) {
    const j = 3 * Math.round((x / (width - 1)) * 255);
    fillRect(out, x, 0, 1, barHeight, [lut[j]!, lut[j + 1]!, lut[j + 2]!]);
  }
  const y = barHeight + 2;
  const ink: readonly [number, number, number] = [40, 40, 40];
  const lo = sign === 'all' && scale > 0 ? `-${formatNumber(scale, 3)}` : '0';
  const hi = formatNumber(scale, 3);
  const third = Math.floor(width / 3);
  drawText(out, fitText(lo, third), 0, y, ink);
  const hiText = fitText(hi, third);
  drawText(out, hiText, width - measureText(hiText).width, y, ink);
  if (sign === 'all') drawText(out, '0', Math.floor((width - measureText('0').width) / 2), y, ink);
  return out;
}

/** `heat` with a colour bar of its scale under it (same width as the heatmap, at least 48 px). */
export function withColorBar(heat: RgbaBuffer, colormapName: string, sign: SignMode, scale: number): RgbaBuffer {
  const bar = colorBar(colormapName, sign, scale, { width: Math.max(48, heat.width) });
  const out = createRgba(Math.max(heat.width, bar.width), heat.height + 3 + bar.height);
  blit(out, heat, 0, 0);
  blit(out, bar, 0, heat.height + 3);
  return out;
}
