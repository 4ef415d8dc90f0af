/**
 * Token attributions as text people read: every word on a background of a diverging colour map
 * (red > 0, blue < 0, white = 0, stronger for larger |value|), wrapped into lines, with a colour bar
 * of the scale — as Captum's `visualize_text` and the highlight views of the attribution
 * literature (e.g. Arras et al. 2017, "What is relevant in a text document?"). Three writers over
 * one layout: `tokenHighlightSvg` (one `<rect class="token">` and one `<text>` per token, the value
 * in a `<title>`), `tokenHighlightPng` (the built-in bitmap font) and `tokenHighlightHtml` (spans
 * with background colours and the value on hover via `title`).
 */
import { check, LumenError } from '../core/errors.js';
import { colorAt, colormap, DEFAULT_DIVERGING, type Rgb } from './colormap.js';
import { colorBar } from './color-bar.js';
import { drawText, fitText, GLYPH_HEIGHT, GLYPH_WIDTH } from './font.js';
import { escapeHtml, formatNumber } from './format.js';
import { blit, createRgba, fillRect, type RgbaBuffer } from './image.js';

/** One text: its tokens and one value per token (tokens '' — PAD positions — are left out). */
export interface TokenRow {
  readonly tokens: readonly string[];
  readonly values: ArrayLike<number>;
  /** A caption drawn above the text (e.g. "example 0 · spam 0.98"). */
  readonly label?: string;
}

/** Options of the token highlight writers. */
export interface TokenHighlightOptions {
  /** The value drawn at full colour (default: the largest |value| over all rows, so rows compare). */
  readonly scale?: number;
  /** A diverging colour map (default `RdBu_r`: blue < 0, white = 0, red > 0). */
  readonly colormap?: string;
  /** Width of the text block in pixels (default 720); lines wrap before it. */
  readonly width?: number;
  /** A title above everything. */
  readonly title?: string;
  /** The value shown on hover and in `data-value` (default `formatNumber` with a sign). */
  readonly format?: (value: number) => string;
}

/** One laid-out token. */
export interface TokenBox {
  readonly token: string;
  /** Position of the token in its row's `tokens`. */
  readonly index: number;
  readonly value: number;
  /** value / scale clipped to [-1, 1]. */
  readonly share: number;
  readonly color: Rgb;
  /** Dark text on light backgrounds, light text on dark ones. */
  readonly ink: Rgb;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The geometry shared by the writers. */
export interface TokenHighlightLayout {
  readonly width: number;
  readonly height: number;
  readonly scale: number;
  readonly colormap: string;
  readonly rows: readonly { readonly label?: string; readonly labelY: number; readonly boxes: readonly TokenBox[] }[];
  /** Top of the colour bar. */
  readonly barY: number;
}

const PAD = 8;

/** The sign-aware default value format: `+0.123`, `-1.5e-4`, `0`. */
function signed(v: number): string {
  return `${v > 0 ? '+' : ''}${formatNumber(v)}`;
}

/** Dark or light ink, whichever reads on `bg` (relative luminance). */
function inkFor(bg: Rgb): Rgb {
  const lum = 0.2126 * bg[0] + 0.7152 * bg[1] + 0.0722 * bg[2];
  return lum < 140 ? [255, 255, 255] : [20, 20, 20];
}

function checkRows(rows: readonly TokenRow[], fn: string): void {
  check(Array.isArray(rows) && rows.length > 0, 'input', () => `${fn}: expected a non-empty array of {tokens, values}; found ${Array.isArray(rows) ? 'an empty array' : String(rows)}`);
  rows.forEach((r, n) => {
    check(Array.isArray(r?.tokens), 'input', () => `${fn}: row ${n}: tokens must be an array of strings`);
    check(r.values !== null && typeof r.values === 'object' && typeof r.values.length === 'number', 'input', () => `${fn}: row ${n}: values must be an array of numbers`);
    check(r.values.length >= r.tokens.length, 'shape', () => `${fn}: row ${n}: ${r.tokens.length} tokens but ${r.values.length} values; expected a value per token`);
    for (let t = 0; t < r.tokens.length; t++) {
      if (r.tokens[t] !== '' && !Number.isFinite(r.values[t])) throw new LumenError('numeric', `${fn}: row ${n}: the value of token ${t} (${JSON.stringify(r.tokens[t])}) is ${String(r.values[t])}; expected a finite number`);
    }
  });
}

/** The common scale: the option, or the largest |value| of a non-PAD token (0 when all are 0). */
function tokenScale(rows: readonly TokenRow[], opts: TokenHighlightOptions, fn: string): number {
  if (opts.scale !== undefined) {
    check(typeof opts.scale === 'number' && Number.isFinite(opts.scale) && opts.scale > 0, 'option', () => `${fn}: scale must be a finite number > 0; found ${String(opts.scale)}`);
    return opts.scale;
  }
  let s = 0;
  for (const r of rows) for (let t = 0; t < r.tokens.length; t++) if (r.tokens[t] !== '') s = Math.max(s, Math.abs(r.values[t]!));
  return s;
}

/**
 * Checks the rows and lays them out: tokens left to right with a gap, wrapped at `width`, each on
 * a box of its colour; `charWidth` and `lineHeight` are the assumed text metrics of the writer.
 */
export function layoutTokenHighlight(rows: readonly TokenRow[], opts: TokenHighlightOptions = {}, charWidth = 7, lineHeight = 20, fn = 'tokenHighlight'): TokenHighlightLayout {
  checkRows(rows, fn);
  const width = opts.width ?? 720;
  check(Number.isInteger(width) && width >= 120, 'option', () => `${fn}: width must be an integer ≥ 120; found ${String(width)}`);
  const cmapName = opts.colormap ?? DEFAULT_DIVERGING;
  const cmap = colormap(cmapName);
  check(cmap.kind === 'diverging', 'option', () => `${fn}: colormap must be diverging (signed values; 0 at its middle); '${cmapName}' is ${cmap.kind}`);
  const scale = tokenScale(rows, opts, fn);
  const gap = Math.max(3, Math.round(charWidth / 2));
  const boxH = lineHeight - 4;
  let y = PAD + (opts.title ? lineHeight + 4 : 0);
  const laid = rows.map((r) => {
    const labelY = y;
    if (r.label !== undefined) y += lineHeight;
    let x = PAD;
    const boxes: TokenBox[] = [];
    r.tokens.forEach((token, index) => {
      if (token === '') return;
      const value = r.values[index]!;
      const w = Math.min(width - 2 * PAD, [...token].length * charWidth + 2 * gap);
      if (x + w > width - PAD && x > PAD) {
        x = PAD;
        y += lineHeight;
      }
      const share = scale > 0 ? Math.max(-1, Math.min(1, value / scale)) : 0;
      const color = colorAt(cmap, (share + 1) / 2);
      boxes.push({ token, index, value, share, color, ink: inkFor(color), x, y, width: w, height: boxH });
      x += w + 2;
    });
    y += lineHeight + 6;
    return { ...(r.label !== undefined ? { label: r.label } : {}), labelY, boxes };
  });
  return { width, height: y + 28, scale, colormap: cmapName, rows: laid, barY: y };
}

const hex = (c: Rgb): string => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
const r2 = (v: number): string => String(Math.round(v * 100) / 100);

/**
 * Token highlights as a self-contained SVG string: per token one `<rect class="token"
 * data-index data-value fill>` (with the token and value in its `<title>`) and one `<text
 * class="token-text">`, then a colour bar (`class="colorbar"`) labelled −scale, 0, scale.
 */
export function tokenHighlightSvg(rows: readonly TokenRow[], opts: TokenHighlightOptions = {}): string {
  const L = layoutTokenHighlight(rows, opts, 7, 20, 'tokenHighlightSvg');
  const fmt = opts.format ?? signed;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}" role="img" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="12">`);
  if (opts.title) out.push(`<title>${escapeHtml(opts.title)}</title>`);
  out.push('<rect class="background" width="100%" height="100%" fill="#ffffff"/>');
  if (opts.title) out.push(`<text class="title" x="${PAD}" y="${PAD + 13}" font-size="14" font-weight="600" fill="#222">${escapeHtml(opts.title)}</text>`);
  for (const row of L.rows) {
    if (row.label !== undefined) out.push(`<text class="label" x="${PAD}" y="${row.labelY + 13}" fill="#555">${escapeHtml(row.label)}</text>`);
    for (const b of row.boxes) {
      const tip = `${b.token}: ${fmt(b.value)}`;
      out.push(`<rect class="token" data-index="${b.index}" data-value="${b.value}" x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="3" fill="${hex(b.color)}"><title>${escapeHtml(tip)}</title></rect>`);
      out.push(`<text class="token-text" x="${r2(b.x + b.width / 2)}" y="${r2(b.y + b.height / 2)}" dy="0.35em" text-anchor="middle" fill="${hex(b.ink)}">${escapeHtml(b.token)}</text>`);
    }
  }
  const steps = 32;
  const barW = Math.min(240, L.width - 2 * PAD);
  const cmap = colormap(L.colormap);
  for (let k = 0; k < steps; k++) {
    out.push(`<rect class="colorbar" x="${r2(PAD + (k * barW) / steps)}" y="${L.barY}" width="${r2(barW / steps + 0.5)}" height="8" fill="${hex(colorAt(cmap, k / (steps - 1)))}"/>`);
  }
  const s = formatNumber(L.scale, 3);
  out.push(`<text class="colorbar-label" x="${PAD}" y="${L.barY + 22}" fill="#555">${L.scale > 0 ? `-${s}` : '0'}</text>`);
  out.push(`<text class="colorbar-label" x="${r2(PAD + barW / 2)}" y="${L.barY + 22}" text-anchor="middle" fill="#555">0</text>`);
  out.push(`<text class="colorbar-label" x="${PAD + barW}" y="${L.barY + 22}" text-anchor="end" fill="#555">${s}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

/**
 * Token highlights as an RGBA image (built-in 5×7 font, drawn upper case; characters it lacks as
 * '?'), with a colour bar of the scale at the bottom.
 */
export function tokenHighlightPng(rows: readonly TokenRow[], opts: TokenHighlightOptions = {}): RgbaBuffer {
  const lineHeight = GLYPH_HEIGHT + 8;
  const L = layoutTokenHighlight(rows, opts, GLYPH_WIDTH, lineHeight, 'tokenHighlightPng');
  const bar = colorBar(L.colormap, 'all', L.scale, { width: Math.min(240, L.width - 2 * PAD) });
  const img = createRgba(L.width, L.barY + bar.height + PAD, [255, 255, 255, 255]);
  if (opts.title) drawText(img, fitText(opts.title, L.width - 2 * PAD), PAD, PAD + 2, [20, 20, 20]);
  for (const row of L.rows) {
    if (row.label !== undefined) drawText(img, fitText(row.label, L.width - 2 * PAD), PAD, row.labelY + 3, [85, 85, 85]);
    for (const b of row.boxes) {
      fillRect(img, b.x, b.y, b.width, b.height, b.color);
      const text = fitText(b.token, b.width - 2);
      drawText(img, text, b.x + Math.floor((b.width - ([...text].length * GLYPH_WIDTH - 1)) / 2), b.y + Math.floor((b.height - GLYPH_HEIGHT) / 2), b.ink);
    }
  }
  blit(img, bar, PAD, L.barY);
  return img;
}

/**
 * Token highlights as an HTML fragment (no scripts, inline styles only): per row a `<p
 * class="lumen-tokens">` of `<span class="token" data-value style="background:…" title="token:
 * value">`, and a legend with the colour scale. `tokenHighlightPage` wraps it into a document.
 */
export function tokenHighlightHtml(rows: readonly TokenRow[], opts: TokenHighlightOptions = {}): string {
  const L = layoutTokenHighlight(rows, { ...opts, width: opts.width ?? 720 }, 7, 20, 'tokenHighlightHtml');
  const fmt = opts.format ?? signed;
  const parts: string[] = ['<div class="lumen-token-highlights">'];
  if (opts.title) parts.push(`<h2>${escapeHtml(opts.title)}</h2>`);
  for (const row of L.rows) {
    if (row.label !== undefined) parts.push(`<div class="label" style="color:#555;font-size:13px;margin-top:12px">${escapeHtml(row.label)}</div>`);
    const spans = row.boxes.map((b) =>
      `<span class="token" data-index="${b.index}" data-value="${b.value}" style="background:${hex(b.color)};color:${hex(b.ink)};padding:1px 3px;border-radius:3px;line-height:1.9" title="${escapeHtml(`${b.token}: ${fmt(b.value)}`)}">${escapeHtml(b.token)}</span>`);
    parts.push(`<p class="lumen-tokens" style="max-width:${L.width}px">${spans.join(' ')}</p>`);
  }
  const cmap = colormap(L.colormap);
  const stops = [0, 0.25, 0.5, 0.75, 1].map((t) => `${hex(colorAt(cmap, t))} ${t * 100}%`).join(', ');
  const s = formatNumber(L.scale, 3);
  parts.push(`<div class="legend" style="display:flex;align-items:center;gap:8px;font-size:12px;color:#555"><span>${L.scale > 0 ? `-${s}` : '0'}</span><span class="colorbar" style="display:inline-block;width:200px;height:10px;background:linear-gradient(to right, ${stops})"></span><span>${s}</span></div>`);
  parts.push('</div>');
  return parts.join('\n');
}

/** A whole self-contained HTML document of `tokenHighlightHtml` (UTF-8, inline CSS, no scripts). */
export function tokenHighlightPage(rows: readonly TokenRow[], opts: TokenHighlightOptions = {}): string {
  const title = opts.title ?? 'Token attributions';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{margin:24px;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328}</style>',
    '</head><body>',
    tokenHighlightHtml(rows, { ...opts, title }),
    '</body></html>',
    '',
  ].join('\n');
}
