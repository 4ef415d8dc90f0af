/**
 * Attention maps as heatmaps: a [T, T] matrix (query rows × key columns) of one head, a fused
 * layer, or a rollout/flow (Abnar & Zuidema 2020), drawn with `heatmap` on a sequential map with
 * the tokens along both axes and a colour bar. `attentionMapPng` (bitmap font labels; several maps
 * side by side with `attentionMapsPng`) and `attentionMapSvg` (one `<rect class="cell">` per entry,
 * the value in its `<title>`, key tokens rotated along the top).
 */
import { check, LumenError } from '../core/errors.js';
import { colorAt, colormap, type Rgb } from './colormap.js';
import { withColorBar } from './color-bar.js';
import { drawText, fitText, GLYPH_HEIGHT, GLYPH_WIDTH, measureText } from './font.js';
import { escapeHtml, formatNumber } from './format.js';
import { grid } from './grid.js';
import { heatmap } from './heatmap.js';
import { blit, createRgba, type RgbaBuffer } from './image.js';

/** Options of the attention map writers. */
export interface AttentionMapOptions {
  /** A sequential colour map (default `Blues`). */
  readonly colormap?: string;
  /** The value drawn at full colour (default: the map's largest value). */
  readonly scale?: number;
  /** Pixels per cell (default 12 for PNG, 16 for SVG). */
  readonly cell?: number;
  /** A title (SVG) or caption. */
  readonly title?: string;
}

/** Checks a [T, T] matrix of non-negative finite values and its T tokens; returns T. */
function checkMap(matrix: ArrayLike<number>, tokens: readonly string[], fn: string): number {
  check(Array.isArray(tokens) && tokens.length > 0, 'input', () => `${fn}: tokens must be a non-empty array of strings`);
  const t = tokens.length;
  check(matrix !== null && typeof matrix === 'object' && matrix.length === t * t, 'shape', () => `${fn}: the matrix has ${matrix?.length} entries; expected T×T = ${t}×${t} = ${t * t} for ${t} tokens`);
  for (let i = 0; i < matrix.length; i++) {
    if (!Number.isFinite(matrix[i]) || matrix[i]! < 0) throw new LumenError('numeric', `${fn}: entry [${Math.floor(i / t)}, ${i % t}] is ${String(matrix[i])}; expected a finite value ≥ 0 (attention weights)`);
  }
  return t;
}

function mapScale(matrix: ArrayLike<number>, opts: AttentionMapOptions, fn: string): number {
  if (opts.scale !== undefined) {
    check(typeof opts.scale === 'number' && Number.isFinite(opts.scale) && opts.scale > 0, 'option', () => `${fn}: scale must be a finite number > 0; found ${String(opts.scale)}`);
    return opts.scale;
  }
  let s = 0;
  for (let i = 0; i < matrix.length; i++) s = Math.max(s, matrix[i]!);
  return s;
}

function checkCmap(name: string, fn: string): void {
  check(colormap(name).kind === 'sequential', 'option', () => `${fn}: colormap must be sequential (attention is ≥ 0); '${name}' is diverging`);
}

/**
 * One attention map as an RGBA image: query tokens down the left, key tokens' first letters across
 * the top, cells coloured by `heatmap` (sign 'positive', scaled by `scale`), a colour bar under it.
 */
export function attentionMapPng(matrix: ArrayLike<number>, tokens: readonly string[], opts: AttentionMapOptions = {}): RgbaBuffer {
  const fn = 'attentionMapPng';
  const t = checkMap(matrix, tokens, fn);
  const cmap = opts.colormap ?? 'Blues';
  checkCmap(cmap, fn);
  const cell = opts.cell ?? 12;
  check(Number.isInteger(cell) && cell >= 2, 'option', () => `${fn}: cell must be an integer ≥ 2; found ${String(cell)}`);
  const scale = mapScale(matrix, opts, fn);
  const heat = heatmap({ data: Float32Array.from(matrix), height: t, width: t }, { sign: 'positive', colormap: cmap, ...(scale > 0 ? { scale } : {}), upscale: cell });
  const panel = withColorBar(heat, cmap, 'positive', scale);
  const labelW = Math.min(80, Math.max(...tokens.map((w) => measureText(w).width))) + 4;
  const top = cell >= GLYPH_WIDTH ? GLYPH_HEIGHT + 4 : 0;
  const titleH = opts.title ? GLYPH_HEIGHT + 6 : 0;
  const out = createRgba(labelW + panel.width + 4, titleH + top + panel.height + 2, [255, 255, 255, 255]);
  if (opts.title) drawText(out, fitText(opts.title, out.width - 4), 2, 2, [20, 20, 20]);
  const ink: Rgb = [60, 60, 60];
  tokens.forEach((w, q) => {
    const text = fitText(w, labelW - 4);
    drawText(out, text, labelW - 2 - measureText(text).width, titleH + top + q * cell + Math.floor((cell - GLYPH_HEIGHT) / 2), ink);
    if (top > 0) drawText(out, ([...w][0] ?? '?'), labelW + q * cell + Math.floor((cell - 5) / 2), titleH + 1, ink);
  });
  blit(out, panel, labelW, titleH + top);
  return out;
}

/** Several attention maps (e.g. every layer and head, or rollout) side by side, each captioned. */
export function attentionMapsPng(maps: readonly { readonly label: string; readonly matrix: ArrayLike<number> }[], tokens: readonly string[], opts: AttentionMapOptions & { readonly cols?: number } = {}): RgbaBuffer {
  check(Array.isArray(maps) && maps.length > 0, 'input', () => 'attentionMapsPng: expected a non-empty array of {label, matrix}');
  const shared = opts.scale ?? Math.max(1e-12, ...maps.map((m) => mapScale(m.matrix, {}, 'attentionMapsPng')));
  const images = maps.map((m) => attentionMapPng(m.matrix, tokens, { ...opts, scale: shared, title: undefined }));
  return grid(images, { cols: opts.cols ?? Math.min(4, maps.length), labels: maps.map((m) => m.label) });
}

/**
 * One attention map as a self-contained SVG: per entry a `<rect class="cell" data-query data-key
 * data-value>` with `query → key: value` in its `<title>`, query tokens on the left and key tokens
 * rotated along the top (all escaped), a colour bar labelled 0 … scale.
 */
export function attentionMapSvg(matrix: ArrayLike<number>, tokens: readonly string[], opts: AttentionMapOptions = {}): string {
  const fn = 'attentionMapSvg';
  const t = checkMap(matrix, tokens, fn);
  const name = opts.colormap ?? 'Blues';
  checkCmap(name, fn);
  const cmap = colormap(name);
  const cell = opts.cell ?? 16;
  check(Number.isInteger(cell) && cell >= 2, 'option', () => `${fn}: cell must be an integer ≥ 2; found ${String(cell)}`);
  const scale = mapScale(matrix, opts, fn);
  const labelW = Math.min(120, 7 * Math.max(...tokens.map((w) => [...w].length))) + 8;
  const titleH = opts.title ? 24 : 0;
  const top = titleH + labelW;
  const width = labelW + t * cell + 8;
  const height = top + t * cell + 40;
  const hex = (c: Rgb): string => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family="system-ui, sans-serif" font-size="11">`];
  if (opts.title) out.push(`<title>${escapeHtml(opts.title)}</title>`);
  out.push('<rect class="background" width="100%" height="100%" fill="#ffffff"/>');
  if (opts.title) out.push(`<text class="title" x="4" y="16" font-size="13" font-weight="600">${escapeHtml(opts.title)}</text>`);
  tokens.forEach((w, i) => {
    out.push(`<text class="query" x="${labelW - 4}" y="${top + i * cell + cell / 2}" dy="0.35em" text-anchor="end">${escapeHtml(w)}</text>`);
    const cx = labelW + i * cell + cell / 2;
    out.push(`<text class="key" transform="translate(${cx},${top - 4}) rotate(-90)" dy="0.35em">${escapeHtml(w)}</text>`);
  });
  for (let q = 0; q < t; q++) {
    for (let k = 0; k < t; k++) {
      const v = matrix[q * t + k]!;
      const c = colorAt(cmap, scale > 0 ? v / scale : 0);
      out.push(`<rect class="cell" data-query="${q}" data-key="${k}" data-value="${v}" x="${labelW + k * cell}" y="${top + q * cell}" width="${cell}" height="${cell}" fill="${hex(c)}"><title>${escapeHtml(`${tokens[q]} → ${tokens[k]}: ${formatNumber(v)}`)}</title></rect>`);
    }
  }
  const barY = top + t * cell + 8;
  const barW = Math.max(48, t * cell);
  for (let s = 0; s < 24; s++) out.push(`<rect class="colorbar" x="${labelW + (s * barW) / 24}" y="${barY}" width="${barW / 24 + 0.5}" height="8" fill="${hex(colorAt(cmap, s / 23))}"/>`);
  out.push(`<text class="colorbar-label" x="${labelW}" y="${barY + 22}">0</text>`, `<text class="colorbar-label" x="${labelW + barW}" y="${barY + 22}" text-anchor="end">${formatNumber(scale, 3)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}
