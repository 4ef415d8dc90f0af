/**
 * A heatmap over its input image, in Captum's styles (`visualize_image_attr` methods):
 * `'blend'` (colour image, heatmap at `alpha`), `'blended_heat_map'` (grey image, heatmap at
 * `alpha`), `'masked_image'` (image × normalised attribution) and `'alpha_scaling'` (image with
 * the normalised attribution as its opacity, over `background`). `darken` dims the image under
 * the two blending styles, as a transparent colour map over a darkened greyscale image reads on
 * bright inputs where a plain blend washes out.
 */
import { check } from '../core/errors.js';
import { colormap } from './colormap.js';
import {
  defaultColormap,
  normalizeAttribution,
  type HeatmapOptions,
  type SignMode,
} from './heatmap.js';
import { checkColor, checkFloatImage, upscaleNearest, type Color, type FloatImage, type RgbaBuffer } from './image.js';

/** How the attribution is combined with the image. */
export type OverlayStyle = 'blend' | 'blended_heat_map' | 'masked_image' | 'alpha_scaling';

const STYLES: readonly OverlayStyle[] = ['blend', 'blended_heat_map', 'masked_image', 'alpha_scaling'];

/** Options of `overlay`: those of `heatmap` plus the style and opacity. */
export interface OverlayOptions extends HeatmapOptions {
  /** Default `'blend'`. */
  readonly style?: OverlayStyle;
  /** Heatmap opacity in [0, 1] for `'blend'` and `'blended_heat_map'` (default 0.5, as Captum's `alpha_overlay`). */
  readonly alpha?: number;
  /**
   * For `'blend'` / `'blended_heat_map'`: scale each pixel's opacity by its normalised |attribution|,
   * so unattributed pixels show the plain image (default false).
   */
  readonly alphaByMagnitude?: boolean;
  /**
   * For `'blend'` / `'blended_heat_map'`: darken the image by this fraction in [0, 1) before the
   * heatmap goes over it (default 0), so the colours stay visible on bright or white inputs.
   */
  readonly darken?: number;
  /** Backdrop of `'alpha_scaling'` (default opaque white). */
  readonly background?: Color;
}

/**
 * Blends an attribution map over an image (grey [H, W, 1] or RGB [H, W, 3], values in [0, 1],
 * clamped; a 4th channel is ignored). The attribution must have the image's height and width;
 * its channels are reduced as in `heatmap`. `'masked_image'` and `'alpha_scaling'` need a sign
 * other than `'all'` and default to `'absolute'` (as Captum).
 */
export function overlay(image: FloatImage, attribution: FloatImage, opts: OverlayOptions = {}): RgbaBuffer {
  const ic = checkFloatImage(image, 'overlay', 'image');
  checkFloatImage(attribution, 'overlay', 'attribution');
  check(ic === 1 || ic === 3 || ic === 4, 'shape', () => `overlay: the image must have 1, 3 or 4 channels; found ${ic}`);
  check(image.height === attribution.height && image.width === attribution.width, 'shape', () =>
    `overlay: the attribution is ${attribution.height}×${attribution.width}; expected the image's ${image.height}×${image.width}`);
  const style = opts.style ?? 'blend';
  check(STYLES.includes(style), 'option', () => `overlay: style must be one of ${STYLES.join(', ')}; found ${JSON.stringify(style)}`);
  const alpha = opts.alpha ?? 0.5;
  check(typeof alpha === 'number' && alpha >= 0 && alpha <= 1, 'option', () => `overlay: alpha must be in [0, 1]; found ${String(alpha)}`);
  const masking = style === 'masked_image' || style === 'alpha_scaling';
  const sign: SignMode = opts.sign ?? (masking ? 'absolute' : 'all');
  check(!(masking && sign === 'all'), 'option', () =>
    `overlay: style '${style}' cannot show positive and negative attributions together; choose sign 'positive', 'negative' or 'absolute'`);
  const darken = opts.darken ?? 0;
  check(typeof darken === 'number' && darken >= 0 && darken < 1, 'option', () => `overlay: darken must be in [0, 1); found ${String(darken)}`);
  const keep = masking ? 1 : 1 - darken;
  const background = opts.background ?? [255, 255, 255, 255];
  checkColor(background, 'overlay', 'background');

  const norm = normalizeAttribution(attribution, { ...opts, sign });
  const n = image.height * image.width;
  const out = new Uint8ClampedArray(n * 4);
  const d = image.data;
  const clamp = (v: number): number => (v > 1 ? 1 : v > 0 ? v : 0);
  const { lut } = colormap(opts.colormap ?? defaultColormap(sign));
  const grey = style === 'blended_heat_map';
  for (let i = 0; i < n; i++) {
    let r: number, g: number, b: number;
    if (ic === 1) {
      r = g = b = clamp(d[i]!);
    } else {
      r = clamp(d[i * ic]!);
      g = clamp(d[i * ic + 1]!);
      b = clamp(d[i * ic + 2]!);
      if (grey) r = g = b = (r + g + b) / 3;
    }
    r *= keep;
    g *= keep;
    b *= keep;
    const v = norm.values[i]!;
    const o = 4 * i;
    if (style === 'masked_image') {
      out[o] = Math.round(255 * r * v);
      out[o + 1] = Math.round(255 * g * v);
      out[o + 2] = Math.round(255 * b * v);
    } else if (style === 'alpha_scaling') {
      out[o] = Math.round(255 * r * v + background[0] * (1 - v));
      out[o + 1] = Math.round(255 * g * v + background[1] * (1 - v));
      out[o + 2] = Math.round(255 * b * v + background[2] * (1 - v));
    } else {
      const t = sign === 'all' ? (v + 1) / 2 : v;
      const j = 3 * Math.round(t * 255);
      const a = opts.alphaByMagnitude ? alpha * Math.abs(v) : alpha;
      out[o] = Math.round(255 * r * (1 - a) + lut[j]! * a);
      out[o + 1] = Math.round(255 * g * (1 - a) + lut[j + 1]! * a);
      out[o + 2] = Math.round(255 * b * (1 - a) + lut[j + 2]! * a);
    }
    out[o + 3] = 255;
  }
  const img: RgbaBuffer = { data: out, width: image.width, height: image.height };
  return opts.upscale === undefined || opts.upscale === 1 ? img : upscaleNearest(img, opts.upscale);
}
