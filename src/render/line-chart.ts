/**
 * Line chart of curves on shared axes (partial dependence, ICE, ALE, metric curves) with an
 * optional rug: one tick under the x axis per data value, so the reader sees where the data are
 * (and where a curve extrapolates). Curves with an `example` (ICE) are drawn thin and grey under
 * the others, which get a colour each and a legend entry. `lineChartSvg` gives a self-contained
 * SVG string, `lineChartPng` the same layout as an RGBA image (labels in the 5×7 bitmap font).
 */
import { check } from '../core/errors.js';
import { drawText, fitText, measureText } from './font.js';
import { escapeHtml, formatNumber } from './format.js';
import { createRgba, fillRect, type Color, type RgbaBuffer } from './image.js';

/** One curve to draw: y over x; `example` marks an individual (ICE) curve. */
export interface LineSeries {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly example?: number;
}

/** Options of `lineChartSvg` and `lineChartPng`. */
export interface LineChartOptions {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Data values of the x feature, drawn as rug ticks under the axis. */
  readonly rug?: readonly number[];
  /** Total size in pixels (default 640 × 400). */
  readonly width?: number;
  readonly height?: number;
}

/** The chart geometry the SVG and PNG writers share: plot box, data ranges and point positions. */
export interface LineChartLayout {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number];
  /** Each series' points in pixels, in the order given. */
  readonly paths: readonly { readonly series: LineSeries; readonly points: readonly (readonly [number, number])[]; readonly color: string }[];
  /** Rug tick x positions in pixels. */
  readonly rug: readonly number[];
}

/** Tableau-10 colours for the non-ICE curves. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const ICE = '#b8b8b8';

function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/** Checks the curves and computes the geometry once. */
export function layoutLineChart(series: readonly LineSeries[], opts: LineChartOptions = {}): LineChartLayout {
  check(series.length > 0, 'input', () => 'lineChart: expected at least one curve; found none');
  for (const s of series) {
    check(s.x.length === s.y.length && s.x.length > 0, 'shape', () => `lineChart: curve '${s.label}' has ${s.x.length} x and ${s.y.length} y values; expected the same number, at least one`);
    check([...s.x, ...s.y].every(Number.isFinite), 'numeric', () => `lineChart: curve '${s.label}' holds a non-finite value`);
  }
  check(!opts.rug || opts.rug.every(Number.isFinite), 'numeric', () => 'lineChart: rug values must be finite');
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;
  const legend = series.filter((s) => s.example === undefined).length;
  const left = 64;
  const right = width - 16;
  const top = opts.title ? 32 : 14;
  const bottom = height - 44 - (legend > 0 ? 16 * Math.min(legend, 6) : 0);
  check(bottom - top > 40 && right - left > 40, 'option', () => `lineChart: ${width} × ${height} pixels leave no room for the plot`);
  const xRange = extent([...series.flatMap((s) => s.x), ...(opts.rug ?? [])]);
  const yRange = extent(series.flatMap((s) => s.y));
  const px = (v: number): number => left + ((v - xRange[0]) / (xRange[1] - xRange[0])) * (right - left);
  const py = (v: number): number => bottom - ((v - yRange[0]) / (yRange[1] - yRange[0])) * (bottom - top);
  let colour = 0;
  const paths = series.map((s) => ({
    series: s,
    points: s.x.map((x, i) => [px(x), py(s.y[i])] as const),
    color: s.example === undefined ? PALETTE[colour++ % PALETTE.length] : ICE,
  }));
  // ICE first, so the averages are drawn on top.
  paths.sort((a, b) => Number(a.series.example === undefined) - Number(b.series.example === undefined));
  return { width, height, left, right, top, bottom, xRange, yRange, paths, rug: (opts.rug ?? []).map(px) };
}

const r2 = (v: number): number => Math.round(v * 100) / 100;

/** The chart as a self-contained SVG: `<path class="curve|ice" data-label>` per curve, `<line class="rug">` per tick. */
export function lineChartSvg(series: readonly LineSeries[], opts: LineChartOptions = {}): string {
  const L = layoutLineChart(series, opts);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}" role="img" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="12">`);
  if (opts.title) out.push(`<title>${escapeHtml(opts.title)}</title>`);
  out.push('<rect width="100%" height="100%" fill="#ffffff"/>');
  if (opts.title) out.push(`<text x="8" y="20" font-size="14" font-weight="600" fill="#222">${escapeHtml(opts.title)}</text>`);
  out.push(`<rect class="plot" x="${L.left}" y="${L.top}" width="${L.right - L.left}" height="${L.bottom - L.top}" fill="none" stroke="#999"/>`);
  for (const [v, y] of [[L.yRange[0], L.bottom], [L.yRange[1], L.top]] as const) out.push(`<text x="${L.left - 4}" y="${y}" dy="0.35em" text-anchor="end" fill="#555">${escapeHtml(formatNumber(v))}</text>`);
  for (const [v, x] of [[L.xRange[0], L.left], [L.xRange[1], L.right]] as const) out.push(`<text x="${x}" y="${L.bottom + 26}" text-anchor="middle" fill="#555">${escapeHtml(formatNumber(v))}</text>`);
  if (opts.xLabel) out.push(`<text x="${(L.left + L.right) / 2}" y="${L.bottom + 26}" text-anchor="middle" fill="#222">${escapeHtml(opts.xLabel)}</text>`);
  if (opts.yLabel) out.push(`<text x="14" y="${(L.top + L.bottom) / 2}" text-anchor="middle" fill="#222" transform="rotate(-90 14 ${(L.top + L.bottom) / 2})">${escapeHtml(opts.yLabel)}</text>`);
  for (const p of L.paths) {
    const d = p.points.map(([x, y], i) => `${i ? 'L' : 'M'}${r2(x)} ${r2(y)}`).join(' ');
    const ice = p.series.example !== undefined;
    out.push(`<path class="${ice ? 'ice' : 'curve'}" data-label="${escapeHtml(p.series.label)}" d="${d}" fill="none" stroke="${p.color}" stroke-width="${ice ? 0.75 : 2}"${ice ? ' stroke-opacity="0.6"' : ''}/>`);
  }
  for (const x of L.rug) out.push(`<line class="rug" x1="${r2(x)}" x2="${r2(x)}" y1="${L.bottom + 2}" y2="${L.bottom + 10}" stroke="#333" stroke-opacity="0.5"/>`);
  L.paths.filter((p) => p.series.example === undefined).slice(0, 6).forEach((p, i) => {
    const y = L.bottom + 44 + 16 * i;
    out.push(`<line x1="${L.left}" x2="${L.left + 18}" y1="${y}" y2="${y}" stroke="${p.color}" stroke-width="2"/><text x="${L.left + 24}" y="${y}" dy="0.35em" fill="#333">${escapeHtml(p.series.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

function hex(c: string): Color {
  return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
}

/** A 1–2 px line between two points (DDA: one dot per pixel step along the longer axis). */
function drawLine(img: RgbaBuffer, [x0, y0]: readonly [number, number], [x1, y1]: readonly [number, number], color: Color, thick: number): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  for (let s = 0; s <= steps; s++) fillRect(img, Math.round(x0 + ((x1 - x0) * s) / steps), Math.round(y0 + ((y1 - y0) * s) / steps), thick, thick, color);
}

/** The same chart as an RGBA image (for PNG output). */
export function lineChartPng(series: readonly LineSeries[], opts: LineChartOptions = {}): RgbaBuffer {
  const L = layoutLineChart(series, opts);
  const img = createRgba(L.width, L.height, [255, 255, 255, 255]);
  const grey: Color = [153, 153, 153];
  fillRect(img, L.left, L.top, L.right - L.left, 1, grey);
  fillRect(img, L.left, L.bottom, L.right - L.left, 1, grey);
  fillRect(img, L.left, L.top, 1, L.bottom - L.top, grey);
  fillRect(img, L.right, L.top, 1, L.bottom - L.top + 1, grey);
  if (opts.title) drawText(img, fitText(opts.title, L.width - 16), 8, 10, [20, 20, 20]);
  for (const p of L.paths) {
    const c = hex(p.color);
    const thick = p.series.example === undefined ? 2 : 1;
    for (let i = 1; i < p.points.length; i++) drawLine(img, p.points[i - 1], p.points[i], c, thick);
    if (p.points.length === 1) fillRect(img, Math.round(p.points[0][0]) - 1, Math.round(p.points[0][1]) - 1, 3, 3, c);
  }
  for (const x of L.rug) fillRect(img, Math.round(x), L.bottom + 2, 1, 8, [80, 80, 80]);
  const ink: Color = [85, 85, 85];
  const lo = formatNumber(L.yRange[0]);
  const hi = formatNumber(L.yRange[1]);
  drawText(img, lo, L.left - 4 - measureText(lo).width, L.bottom - 3, ink);
  drawText(img, hi, L.left - 4 - measureText(hi).width, L.top - 3, ink);
  drawText(img, formatNumber(L.xRange[0]), L.left, L.bottom + 16, ink);
  const xr = formatNumber(L.xRange[1]);
  drawText(img, xr, L.right - measureText(xr).width, L.bottom + 16, ink);
  if (opts.xLabel) {
    const t = fitText(opts.xLabel, (L.right - L.left) / 2);
    drawText(img, t, Math.round((L.left + L.right - measureText(t).width) / 2), L.bottom + 16, [34, 34, 34]);
  }
  L.paths.filter((p) => p.series.example === undefined).slice(0, 6).forEach((p, i) => {
    const y = L.bottom + 40 + 16 * i;
    fillRect(img, L.left, y, 18, 2, hex(p.color));
    drawText(img, fitText(p.series.label, L.right - L.left - 24), L.left + 24, y - 3, [51, 51, 51]);
  });
  return img;
}
