/**
 * Colour maps (from d3-scale-chromatic) as `t ∈ [0, 1] → [r, g, b]` and 256-entry lookup tables,
 * plus the scale rules that turn attributions into `t`: symmetric max |a|, a plain percentile of
 * |a|, or Captum's cumulative-sum `outlier_perc` threshold.
 */
import * as chroma from 'd3-scale-chromatic';
import { check } from '../core/errors.js';
import { percentile } from '../core/percentile.js';

/** An RGB triple with 0–255 integer components. */
export type Rgb = readonly [number, number, number];

/** A colour function: `t ∈ [0, 1]` (clamped) → `[r, g, b]` in 0–255. */
export type ColorFn = (t: number) => Rgb;

/** Whether a map is meant for signed values (white at 0.5) or magnitudes (dark or light at 0). */
export type ColormapKind = 'diverging' | 'sequential';

/** A colour map with its 256-entry lookup table (`lut[3i..3i+2]` is the colour of `t = i / 255`). */
export interface Colormap {
  readonly name: string;
  readonly kind: ColormapKind;
  readonly lut: Uint8Array;
}

/** Default map for signed attributions: RdBu reversed, so −max → blue, 0 → white, +max → red. */
export const DEFAULT_DIVERGING = 'RdBu_r';
/** Default map for magnitudes (absolute attributions). */
export const DEFAULT_SEQUENTIAL = 'inferno';

/** Parses d3's colour strings: `#rrggbb` or `rgb(r, g, b)`. */
function parseColor(s: string): Rgb {
  if (s.startsWith('#') && s.length === 7) {
    return [parseInt(s.slice(1, 3), 16), parseInt(s.slice(3, 5), 16), parseInt(s.slice(5, 7), 16)];
  }
  const m = /^rgb\(\s*(\d+),\s*(\d+),\s*(\d+)\s*\)$/.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  throw new Error(`colormap: cannot parse the colour ${JSON.stringify(s)}`);
}

const fromD3 = (f: (t: number) => string): ColorFn => (t) => parseColor(f(t));

const clamp01 = (t: number): number => (t <= 0 ? 0 : t >= 1 ? 1 : Number.isNaN(t) ? 0 : t);

/** matplotlib's 'hot': black → red → yellow → white. */
const hot: ColorFn = (t) => {
  const c = (lo: number, hi: number): number => Math.round(255 * clamp01((t - lo) / (hi - lo)));
  return [c(0, 0.365079), c(0.365079, 0.746032), c(0.746032, 1)];
};

/** Linear black → white (matplotlib's 'gray'; d3's 'Greys' runs white → black). */
const gray: ColorFn = (t) => {
  const v = Math.round(255 * t);
  return [v, v, v];
};

const MAPS: Record<string, { kind: ColormapKind; fn: ColorFn }> = {
  // diverging (d3 runs from the first-named colour at t = 0 to the second at t = 1)
  RdBu: { kind: 'diverging', fn: fromD3(chroma.interpolateRdBu) },
  RdYlBu: { kind: 'diverging', fn: fromD3(chroma.interpolateRdYlBu) },
  RdYlGn: { kind: 'diverging', fn: fromD3(chroma.interpolateRdYlGn) },
  RdGy: { kind: 'diverging', fn: fromD3(chroma.interpolateRdGy) },
  PiYG: { kind: 'diverging', fn: fromD3(chroma.interpolatePiYG) },
  PRGn: { kind: 'diverging', fn: fromD3(chroma.interpolatePRGn) },
  BrBG: { kind: 'diverging', fn: fromD3(chroma.interpolateBrBG) },
  PuOr: { kind: 'diverging', fn: fromD3(chroma.interpolatePuOr) },
  Spectral: { kind: 'diverging', fn: fromD3(chroma.interpolateSpectral) },
  // sequential, perceptually uniform
  inferno: { kind: 'sequential', fn: fromD3(chroma.interpolateInferno) },
  viridis: { kind: 'sequential', fn: fromD3(chroma.interpolateViridis) },
  magma: { kind: 'sequential', fn: fromD3(chroma.interpolateMagma) },
  plasma: { kind: 'sequential', fn: fromD3(chroma.interpolatePlasma) },
  cividis: { kind: 'sequential', fn: fromD3(chroma.interpolateCividis) },
  turbo: { kind: 'sequential', fn: fromD3(chroma.interpolateTurbo) },
  // sequential, single hue (light at 0 → dark at 1)
  Reds: { kind: 'sequential', fn: fromD3(chroma.interpolateReds) },
  Blues: { kind: 'sequential', fn: fromD3(chroma.interpolateBlues) },
  Greens: { kind: 'sequential', fn: fromD3(chroma.interpolateGreens) },
  Greys: { kind: 'sequential', fn: fromD3(chroma.interpolateGreys) },
  Oranges: { kind: 'sequential', fn: fromD3(chroma.interpolateOranges) },
  Purples: { kind: 'sequential', fn: fromD3(chroma.interpolatePurples) },
  YlOrRd: { kind: 'sequential', fn: fromD3(chroma.interpolateYlOrRd) },
  YlGnBu: { kind: 'sequential', fn: fromD3(chroma.interpolateYlGnBu) },
  // matplotlib classics
  hot: { kind: 'sequential', fn: hot },
  gray: { kind: 'sequential', fn: gray },
};

/**
 * The names `colormap` accepts (each also with a `_r` suffix for the reversed map), optionally
 * only those of one kind.
 */
export function colormapNames(kind?: ColormapKind): string[] {
  return Object.keys(MAPS).filter((n) => kind === undefined || MAPS[n]!.kind === kind);
}

function resolve(name: string): { base: string; reversed: boolean } {
  check(typeof name === 'string', 'option', () => `colormap: the name must be a string; found ${String(name)}`);
  const reversed = name.endsWith('_r');
  const base = reversed ? name.slice(0, -2) : name;
  check(Object.hasOwn(MAPS, base), 'option', () =>
    `colormap: unknown colour map ${JSON.stringify(name)}; expected one of ${colormapNames().join(', ')} (or a name + "_r")`);
  return { base, reversed };
}

/** The continuous colour function of a named map (`'RdBu_r'` is `'RdBu'` reversed). */
export function colormapFunction(name: string): ColorFn {
  const { base, reversed } = resolve(name);
  const fn = MAPS[base]!.fn;
  return reversed ? (t) => fn(1 - clamp01(t)) : (t) => fn(clamp01(t));
}

const cache = new Map<string, Colormap>();

/** A named colour map with its precomputed 256-entry lookup table (cached). */
export function colormap(name: string): Colormap {
  const hit = cache.get(name);
  if (hit) return hit;
  const { base } = resolve(name);
  const fn = colormapFunction(name);
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = fn(i / 255);
    lut[3 * i] = r;
    lut[3 * i + 1] = g;
    lut[3 * i + 2] = b;
  }
  const map: Colormap = { name, kind: MAPS[base]!.kind, lut };
  cache.set(name, map);
  return map;
}

/** The LUT index of `t ∈ [0, 1]` (clamped; NaN → 0). */
export function lutIndex(t: number): number {
  return Math.round(clamp01(t) * 255);
}

/** The colour of `t ∈ [0, 1]` looked up in a map's table. */
export function colorAt(map: Colormap, t: number): Rgb {
  const i = 3 * lutIndex(t);
  return [map.lut[i]!, map.lut[i + 1]!, map.lut[i + 2]!];
}

/**
 * Captum's `_cumulative_sum_threshold`: the smallest sorted value at which the running sum of the
 * sorted (non-negative) values reaches `p`% of the total. `outlier_perc = q` uses `p = 100 − q`.
 */
export function cumulativeSumThreshold(values: ArrayLike<number>, p: number): number {
  check(typeof p === 'number' && p >= 0 && p <= 100, 'option', () => `cumulativeSumThreshold: p must be in 0–100; found ${p}`);
  check(values.length > 0, 'input', () => 'cumulativeSumThreshold: no values');
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  for (let i = 0; i < sorted.length; i++) total += sorted[i]!;
  const goal = total * 0.01 * p;
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) {
    sum += sorted[i]!;
    if (sum >= goal) return sorted[i]!;
  }
  return sorted[sorted.length - 1]!;
}

/** How to pick the value mapped to the end of a colour map. */
export interface ScaleOptions {
  /** Clip at this percentile of the magnitudes (e.g. 99.5); 100 (the default) is the maximum. */
  readonly percentile?: number;
  /**
   * Captum's `outlier_perc` (e.g. 2): clip where the cumulative sum of sorted magnitudes reaches
   * (100 − outlierPerc)% of the total. Takes precedence over `percentile`.
   */
  readonly outlierPerc?: number;
}

/**
 * The scale of non-negative magnitudes: max, a percentile, or Captum's cumulative-sum threshold.
 * A map of `[-scale, scale]` (diverging) or `[0, scale]` (sequential) covers the values.
 */
export function magnitudeScale(magnitudes: ArrayLike<number>, opts: ScaleOptions = {}): number {
  if (magnitudes.length === 0) return 0;
  if (opts.outlierPerc !== undefined) {
    check(typeof opts.outlierPerc === 'number' && opts.outlierPerc >= 0 && opts.outlierPerc < 100, 'option', () =>
      `outlierPerc must be in [0, 100); found ${String(opts.outlierPerc)}`);
    return cumulativeSumThreshold(magnitudes, 100 - opts.outlierPerc);
  }
  const p = opts.percentile ?? 100;
  check(typeof p === 'number' && p > 0 && p <= 100, 'option', () => `percentile must be in (0, 100]; found ${String(p)}`);
  if (p === 100) {
    let m = 0;
    for (let i = 0; i < magnitudes.length; i++) if (magnitudes[i]! > m) m = magnitudes[i]!;
    return m;
  }
  return percentile(magnitudes, p);
}

/** The symmetric scale of signed values: `magnitudeScale(|values|)` (so 0 sits mid-map). */
export function symmetricScale(values: ArrayLike<number>, opts: ScaleOptions = {}): number {
  const abs = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) abs[i] = Math.abs(values[i]!);
  return magnitudeScale(abs, opts);
}
