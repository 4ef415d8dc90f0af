/**
 * Signed horizontal bar chart of tabular attributions: one bar per feature from a zero axis,
 * positive to the right in red, negative to the left in blue, with names, value labels and a
 * title. `barChartSvg` gives a self-contained SVG string; `barChartPng` the same layout as an
 * RGBA image (names and values in the built-in 5×7 bitmap font).
 */
import { check, LumenError } from '../core/errors.js';
import { drawText, fitText, GLYPH_HEIGHT, measureText } from './font.js';
import { escapeHtml, formatNumber } from './format.js';
import { createRgba, fillRect, type Color, type RgbaBuffer } from './image.js';

/** Options of `barChartSvg` and `barChartPng`. */
export interface BarChartOptions {
  /** Title drawn above the bars (none by default). */
  readonly title?: string;
  /** Bar order: as given (`'none'`, default), by |value| descending (`'abs'`), or by value descending. */
  readonly sort?: 'none' | 'abs' | 'value';
  /** Keep only the `maxFeatures` largest |values| (after which `sort` applies). */
  readonly maxFeatures?: number;
  /** Total width in pixels (default 640). */
  readonly width?: number;
  /** Bar thickness in pixels (default 18). */
  readonly barHeight?: number;
  /** Colour of positive bars (default RdBu red `#d6604d`). */
  readonly positiveColor?: string;
  /** Colour of negative bars (default RdBu blue `#4393c3`). */
  readonly negativeColor?: string;
  /** Value label format (default `formatNumber`). */
  readonly format?: (value: number) => string;
}

/** One laid-out bar: the feature, its value and its rectangle. */
export interface BarLayout {
  readonly name: string;
  readonly value: number;
  readonly label: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The chart geometry shared by the SVG and PNG writers. */
export interface BarChartLayout {
  readonly width: number;
  readonly height: number;
  readonly axisX: number;
  readonly plotTop: number;
  readonly plotBottom: number;
  readonly nameWidth: number;
  readonly titleHeight: number;
  readonly bars: readonly BarLayout[];
}

const CHAR_W = 7; // ≈ average glyph width of a 12 px system font
const GAP = 6;

function parseHex(c: string, what: string): Color {
  const m = /^#?([0-9a-f]{6})$/i.exec(c);
  if (!m) throw new LumenError('option', `barChart: ${what} must be a #rrggbb colour; found ${JSON.stringify(c)}`);
  const v = parseInt(m[1]!, 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/**
 * Checks the inputs and lays the chart out (pixel geometry; `charWidth` is the assumed width of
 * one character of text). Exposed for custom writers.
 */
export function layoutBarChart(names: readonly string[], values: ArrayLike<number>, opts: BarChartOptions = {}, charWidth = CHAR_W): BarChartLayout {
  check(Array.isArray(names), 'input', () => `barChart: names must be an array of strings; found ${String(names)}`);
  check(values !== null && typeof values === 'object' && typeof values.length === 'number', 'input', () => `barChart: values must be an array of numbers; found ${String(values)}`);
  check(names.length === values.length, 'shape', () => `barChart: ${names.length} names for ${values.length} values; expected one name per value`);
  check(names.length > 0, 'input', () => 'barChart: no features to draw');
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number' || !Number.isFinite(values[i])) {
      throw new LumenError('numeric', `barChart: the value of feature ${JSON.stringify(names[i])} (index ${i}) is ${String(values[i])}; expected a finite number`);
    }
  }
  const width = opts.width ?? 640;
  check(Number.isInteger(width) && width >= 120, 'option', () => `barChart: width must be an integer ≥ 120; found ${String(width)}`);
  const barH = opts.barHeight ?? 18;
  check(Number.isInteger(barH) && barH >= 4, 'option', () => `barChart: barHeight must be an integer ≥ 4; found ${String(barH)}`);
  const sort = opts.sort ?? 'none';
  check(['none', 'abs', 'value'].includes(sort), 'option', () => `barChart: sort must be 'none', 'abs' or 'value'; found ${JSON.stringify(sort)}`);
  const fmt = opts.format ?? ((v: number) => formatNumber(v));

  let idx = names.map((_, i) => i);
  if (opts.maxFeatures !== undefined) {
    check(Number.isInteger(opts.maxFeatures) && opts.maxFeatures >= 1, 'option', () => `barChart: maxFeatures must be a positive integer; found ${String(opts.maxFeatures)}`);
    const keep = new Set([...idx].sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!)).slice(0, opts.maxFeatures));
    idx = idx.filter((i) => keep.has(i));
  }
  if (sort === 'abs') idx.sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!));
  if (sort === 'value') idx.sort((a, b) => values[b]! - values[a]!);

  const labels = idx.map((i) => fmt(values[i]!));
  const maxName = Math.max(...idx.map((i) => String(names[i]).length));
  const nameWidth = Math.min(Math.max(maxName * charWidth, 3 * charWidth), Math.floor(width * 0.35));
  const labelW = Math.max(...labels.map((l) => l.length)) * charWidth + GAP;
  const neg = Math.max(0, ...idx.map((i) => -values[i]!));
  const pos = Math.max(0, ...idx.map((i) => values[i]!));
  const left = nameWidth + 2 * GAP + (neg > 0 ? labelW : 0);
  const right = width - GAP - (pos > 0 || neg === 0 ? labelW : 0);
  const plotW = Math.max(10, right - left);
  const extent = neg + pos;
  const axisX = extent === 0 ? left + plotW / 2 : left + (plotW * neg) / extent;
  const perUnit = extent === 0 ? 0 : plotW / extent;
  const titleHeight = opts.title ? 28 : 0;
  const plotTop = titleHeight + GAP;
  const bars = idx.map((i, k): BarLayout => {
    const v = values[i]!;
    const w = Math.abs(v) * perUnit;
    return {
      name: String(names[i]),
      value: v,
      label: labels[k]!,
      x: v >= 0 ? axisX : axisX - w,
      y: plotTop + k * (barH + GAP),
      width: w,
      height: barH,
    };
  });
  const plotBottom = plotTop + bars.length * (barH + GAP) - GAP;
  return { width, height: plotBottom + GAP + 2, axisX, plotTop, plotBottom, nameWidth, titleHeight, bars };
}

const r2 = (v: number): string => String(Math.round(v * 100) / 100);

/**
 * A signed horizontal bar chart as a self-contained SVG string (with `xmlns`, no external
 * references, all text escaped). Each bar is `<rect class="bar pos|neg" data-feature data-value>`.
 */
export function barChartSvg(names: readonly string[], values: ArrayLike<number>, opts: BarChartOptions = {}): string {
  const L = layoutBarChart(names, values, opts);
  const posC = opts.positiveColor ?? '#d6604d';
  const negC = opts.negativeColor ?? '#4393c3';
  parseHex(posC, 'positiveColor');
  parseHex(negC, 'negativeColor');
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}" role="img" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="12">`);
  if (opts.title) out.push(`<title>${escapeHtml(opts.title)}</title>`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  if (opts.title) {
    out.push(`<text x="${GAP}" y="19" font-size="14" font-weight="600" fill="#222">${escapeHtml(opts.title)}</text>`);
  }
  for (const b of L.bars) {
    const cy = r2(b.y + b.height / 2);
    const name = b.name.length * CHAR_W > L.nameWidth ? b.name.slice(0, Math.max(1, Math.floor(L.nameWidth / CHAR_W) - 1)) + '…' : b.name;
    out.push(`<text x="${GAP + L.nameWidth}" y="${cy}" dy="0.35em" text-anchor="end" fill="#333"><title>${escapeHtml(b.name)}</title>${escapeHtml(name)}</text>`);
    const cls = b.value >= 0 ? 'pos' : 'neg';
    out.push(`<rect class="bar ${cls}" data-feature="${escapeHtml(b.name)}" data-value="${b.value}" x="${r2(b.x)}" y="${r2(b.y)}" width="${r2(b.width)}" height="${b.height}" fill="${b.value >= 0 ? posC : negC}" rx="2"/>`);
    const lx = b.value >= 0 ? b.x + b.width + 4 : b.x - 4;
    out.push(`<text x="${r2(lx)}" y="${cy}" dy="0.35em" text-anchor="${b.value >= 0 ? 'start' : 'end'}" fill="#555" font-variant-numeric="tabular-nums">${escapeHtml(b.label)}</text>`);
  }
  out.push(`<line class="axis" x1="${r2(L.axisX)}" x2="${r2(L.axisX)}" y1="${L.plotTop - 3}" y2="${L.plotBottom + 3}" stroke="#444" stroke-width="1"/>`);
  out.push('</svg>');
  return out.join('\n');
}

/**
 * The same chart as an RGBA image: bars, zero axis, and names, values and title in the built-in
 * 5×7 bitmap font (upper case), for places that need a PNG.
 */
export function barChartPng(names: readonly string[], values: ArrayLike<number>, opts: BarChartOptions = {}): RgbaBuffer {
  const L = layoutBarChart(names, values, { ...opts, barHeight: opts.barHeight ?? 14 }, 6);
  const posC = parseHex(opts.positiveColor ?? '#d6604d', 'positiveColor');
  const negC = parseHex(opts.negativeColor ?? '#4393c3', 'negativeColor');
  const height = Math.round(L.height);
  const img = createRgba(L.width, height, [255, 255, 255, 255]);
  const ink: Color = [51, 51, 51];
  if (opts.title) drawText(img, fitText(opts.title, L.width - 2 * GAP), GAP, 10, [20, 20, 20]);
  for (const b of L.bars) {
    const ty = Math.round(b.y + (b.height - GLYPH_HEIGHT) / 2);
    const name = fitText(b.name, L.nameWidth);
    drawText(img, name, GAP + L.nameWidth - measureText(name).width, ty, ink);
    const x0 = Math.round(b.x);
    const x1 = Math.round(b.x + b.width);
    fillRect(img, x0, Math.round(b.y), Math.max(x1 - x0, b.value === 0 ? 0 : 1), b.height, b.value >= 0 ? posC : negC);
    const lw = measureText(b.label).width;
    drawText(img, b.label, b.value >= 0 ? x1 + 4 : x0 - 4 - lw, ty, [85, 85, 85]);
  }
  fillRect(img, Math.round(L.axisX), L.plotTop - 3, 1, L.plotBottom - L.plotTop + 6, [68, 68, 68]);
  return img;
}
