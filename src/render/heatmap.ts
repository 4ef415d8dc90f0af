/**
 * Attribution map [H, W] or [H, W, C] → RGBA heatmap, after Captum's `visualize_image_attr`
 * (`method='heat_map'`): reduce channels, keep a sign, scale (max |a|, a percentile or Captum's
 * `outlier_perc`), clip to [-1, 1], colour, optionally upscale with nearest neighbour.
 */
import { check, LumenError } from '../core/errors.js';
import {
  colormap,
  DEFAULT_DIVERGING,
  DEFAULT_SEQUENTIAL,
  magnitudeScale,
  type ScaleOptions,
} from './colormap.js';
import { checkFloatImage, upscaleNearest, type FloatImage, type RgbaBuffer } from './image.js';

/**
 * How channels are combined per pixel: `'sum'` (signed, Captum's default), `'abs-sum'` (Σ|a|),
 * `'max-abs'` (max |a|, as in Simonyan et al.'s saliency), `'l2'` (√Σa²). The last three are unsigned.
 */
export type ChannelReduction = 'sum' | 'abs-sum' | 'max-abs' | 'l2';

/**
 * Which part of the attribution is shown (Captum's `sign`): `'all'` on a diverging map, or
 * `'positive'`, `'negative'` (as magnitudes), `'absolute'` on a sequential map.
 */
export type SignMode = 'all' | 'positive' | 'negative' | 'absolute';

const REDUCTIONS: readonly ChannelReduction[] = ['sum', 'abs-sum', 'max-abs', 'l2'];
const SIGNS: readonly SignMode[] = ['all', 'positive', 'negative', 'absolute'];

/** Options of `normalizeAttribution` and `heatmap`. */
export interface NormalizeOptions extends ScaleOptions {
  readonly reduce?: ChannelReduction;
  readonly sign?: SignMode;
  /** A fixed scale (e.g. shared by several maps to compare them); overrides percentile/outlierPerc. */
  readonly scale?: number;
}

/** Options of `heatmap`. */
export interface HeatmapOptions extends NormalizeOptions {
  /**
   * Colour map name (see `colormapNames`). Defaults: `'RdBu_r'` for sign `'all'`, `'Reds'` for
   * `'positive'`, `'Blues'` for `'negative'`, `'inferno'` for `'absolute'`.
   */
  readonly colormap?: string;
  /** Integer nearest-neighbour upscaling factor (default 1). */
  readonly upscale?: number;
}

/** An attribution normalised for display: `values` in [-1, 1] (sign `'all'`) or [0, 1]. */
export interface NormalizedMap {
  readonly values: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly sign: SignMode;
  /** The attribution value mapped to ±1 (0 when the map is all zeros). */
  readonly scale: number;
}

/** Reduces an [H, W, C] map to H·W values (an [H, W] map is returned as a copy). */
export function reduceChannels(map: FloatImage, reduce: ChannelReduction = 'sum'): Float32Array {
  const c = checkFloatImage(map, 'reduceChannels', 'attribution');
  check(REDUCTIONS.includes(reduce), 'option', () => `reduceChannels: reduce must be one of ${REDUCTIONS.join(', ')}; found ${JSON.stringify(reduce)}`);
  const n = map.height * map.width;
  const out = new Float32Array(n);
  const d = map.data;
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = 0; k < c; k++) {
      const v = d[i * c + k]!;
      switch (reduce) {
        case 'sum': acc += v; break;
        case 'abs-sum': acc += Math.abs(v); break;
        case 'max-abs': acc = Math.max(acc, Math.abs(v)); break;
        case 'l2': acc += v * v; break;
      }
    }
    out[i] = reduce === 'l2' ? Math.sqrt(acc) : acc;
  }
  return out;
}

/**
 * Captum's `_normalize_attr`: reduce channels, keep the chosen sign, divide by the scale and clip,
 * giving values in [-1, 1] for sign `'all'` and in [0, 1] otherwise (`'negative'` as magnitudes).
 * Throws LumenError('numeric') on NaN or ±Infinity.
 */
export function normalizeAttribution(map: FloatImage, opts: NormalizeOptions = {}): NormalizedMap {
  checkFloatImage(map, 'normalizeAttribution', 'attribution');
  const sign = opts.sign ?? 'all';
  check(SIGNS.includes(sign), 'option', () => `normalizeAttribution: sign must be one of ${SIGNS.join(', ')}; found ${JSON.stringify(sign)}`);
  const reduced = reduceChannels(map, opts.reduce ?? 'sum');
  const n = reduced.length;
  const mags = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = reduced[i]!;
    if (!Number.isFinite(v)) {
      throw new LumenError('numeric', `heatmap: the attribution has a non-finite value (${v}) at pixel ${i} (row ${Math.floor(i / map.width)}, column ${i % map.width})`);
    }
    mags[i] = sign === 'all' || sign === 'absolute' ? Math.abs(v) : sign === 'positive' ? Math.max(v, 0) : Math.max(-v, 0);
  }
  let scale: number;
  if (opts.scale !== undefined) {
    check(typeof opts.scale === 'number' && opts.scale > 0 && Number.isFinite(opts.scale), 'option', () => `heatmap: scale must be a positive finite number; found ${String(opts.scale)}`);
    scale = opts.scale;
  } else {
    scale = magnitudeScale(mags, opts);
  }
  const values = new Float32Array(n);
  if (scale > 0) {
    const src = sign === 'all' ? reduced : mags;
    const lo = sign === 'all' ? -1 : 0;
    for (let i = 0; i < n; i++) values[i] = Math.min(1, Math.max(lo, src[i]! / scale));
  }
  return { values, height: map.height, width: map.width, sign, scale };
}

/** The default colour map of a sign mode. */
export function defaultColormap(sign: SignMode): string {
  return sign === 'all' ? DEFAULT_DIVERGING : sign === 'positive' ? 'Reds' : sign === 'negative' ? 'Blues' : DEFAULT_SEQUENTIAL;
}

/**
 * Colours a normalised map: sign `'all'` maps [-1, 1] onto the whole map (0 at its middle),
 * the other signs map [0, 1]. Returns an opaque RGBA image of the map's size.
 */
export function colorize(norm: NormalizedMap, colormapName: string = defaultColormap(norm.sign)): RgbaBuffer {
  const { lut } = colormap(colormapName);
  const n = norm.height * norm.width;
  check(norm.values.length === n, 'shape', () => `colorize: values has ${norm.values.length} entries; expected H×W = ${norm.height}×${norm.width} = ${n}`);
  const out = new Uint8ClampedArray(n * 4);
  const signed = norm.sign === 'all';
  for (let i = 0; i < n; i++) {
    const v = norm.values[i]!;
    const t = signed ? (v + 1) / 2 : v;
    const j = 3 * Math.round(Math.min(1, Math.max(0, t)) * 255);
    out[4 * i] = lut[j]!;
    out[4 * i + 1] = lut[j + 1]!;
    out[4 * i + 2] = lut[j + 2]!;
    out[4 * i + 3] = 255;
  }
  return { data: out, width: norm.width, height: norm.height };
}

/**
 * Attribution map → RGBA heatmap (Captum's `visualize_image_attr(method='heat_map')`):
 * `heatmap({data, height: 28, width: 28}, {sign: 'all', percentile: 99.5, upscale: 8})`.
 */
export function heatmap(attribution: FloatImage, opts: HeatmapOptions = {}): RgbaBuffer {
  checkFloatImage(attribution, 'heatmap');
  const norm = normalizeAttribution(attribution, opts);
  const img = colorize(norm, opts.colormap ?? defaultColormap(norm.sign));
  return opts.upscale === undefined || opts.upscale === 1 ? img : upscaleNearest(img, opts.upscale);
}
