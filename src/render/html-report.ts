/**
 * A self-contained HTML report: inline CSS, images as data URIs, SVG inline, no scripts and no
 * external requests. A title, an intro, then sections with text, examples (each with its
 * prediction and its explanations side by side, report-examples.ts), a table and a grid of figure
 * cards (image or SVG, caption, note). All text is escaped.
 */
import { check } from '../core/errors.js';
import { escapeHtml, formatNumber } from './format.js';
import { EXAMPLES_CSS, renderExamples, type ReportExample } from './report-examples.js';

/** A table cell: text, or a number formatted with `formatNumber` (null/undefined → empty). */
export type ReportCell = string | number | null | undefined;

/** A table: a header row and rows of cells (each row as long as `columns`). */
export interface ReportTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly ReportCell[])[];
  /** Significant digits of numbers (default 4). */
  readonly digits?: number;
  /** A caption under the table. */
  readonly caption?: string;
}

/** A figure card: an image (a `data:image/…` URI) or an inline SVG, a caption and a small note. */
export interface ReportFigure {
  readonly image?: string;
  readonly svg?: string;
  readonly caption: string;
  /** A sub-caption such as "12.3 ms · δ = 1e-4". */
  readonly note?: string;
  /** Alternative text of the image (defaults to the caption). */
  readonly alt?: string;
  /** Display width of the image in CSS pixels (default: its natural size, at most the card). */
  readonly width?: number;
  /** Draw a small image with crisp (nearest-neighbour) pixels (default true). */
  readonly pixelated?: boolean;
}

/** A section: a heading, then optional text, examples, table and figures, in that order. */
export interface ReportSection {
  readonly title: string;
  /** A paragraph; blank lines separate paragraphs. */
  readonly text?: string;
  /** Examples with their prediction and explanations side by side (report-examples.ts). */
  readonly examples?: readonly ReportExample[];
  readonly table?: ReportTable;
  readonly figures?: readonly ReportFigure[];
}

/** The whole report. */
export interface Report {
  readonly title: string;
  readonly intro?: string;
  readonly sections: readonly ReportSection[];
  /** A small line at the bottom (e.g. "lumen 0.1.0 · 2024-05-01"). */
  readonly footer?: string;
}

const CSS = `
:root { color-scheme: light; --bg: #f6f7f9; --card: #fff; --ink: #1f2328; --muted: #656d76; --line: #e3e6ea; --accent: #b2182b; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 40px 24px 64px; }
h1 { font-size: 28px; line-height: 1.2; margin: 0 0 12px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 40px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
p { margin: 0 0 12px; max-width: 75ch; }
p.intro { color: var(--muted); font-size: 16px; }
.table-wrap { overflow-x: auto; margin: 14px 0 6px; background: var(--card); border: 1px solid var(--line); border-radius: 10px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 7px 12px; text-align: left; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { background: #fafbfc; font-weight: 600; color: #3b424a; }
tr:last-child td { border-bottom: none; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { caption-side: bottom; text-align: left; padding: 8px 12px; color: var(--muted); font-size: 13px; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 16px; margin: 16px 0; }
figure { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px; box-shadow: 0 1px 2px rgba(0,0,0,0.04); display: flex; flex-direction: column; gap: 8px; }
figure .media { display: flex; justify-content: center; align-items: center; }
figure img, figure svg { max-width: 100%; height: auto; display: block; }
img.pixelated { image-rendering: pixelated; }
figcaption { font-weight: 600; font-size: 14px; }
figcaption .note { display: block; font-weight: 400; color: var(--muted); font-size: 12.5px; font-variant-numeric: tabular-nums; }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; }
${EXAMPLES_CSS}`;

function paragraphs(text: string, cls?: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => `<p${cls ? ` class="${cls}"` : ''}>${escapeHtml(p)}</p>`)
    .join('\n');
}

function renderTable(t: ReportTable, where: string): string {
  check(Array.isArray(t.columns) && t.columns.length > 0, 'input', () => `renderReport: ${where} table needs at least one column`);
  check(Array.isArray(t.rows), 'input', () => `renderReport: ${where} table rows must be an array`);
  t.rows.forEach((row, i) =>
    check(Array.isArray(row) && row.length === t.columns.length, 'shape', () =>
      `renderReport: ${where} table row ${i} has ${Array.isArray(row) ? row.length : 'no'} cells; expected ${t.columns.length} (one per column)`));
  const digits = t.digits ?? 4;
  const head = `<tr>${t.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = t.rows
    .map((row) => `<tr>${row.map((cell: ReportCell) =>
      typeof cell === 'number'
        ? `<td class="num">${escapeHtml(formatNumber(cell, digits))}</td>`
        : `<td>${cell === null || cell === undefined ? '' : escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  const caption = t.caption ? `<caption>${escapeHtml(t.caption)}</caption>` : '';
  return `<div class="table-wrap"><table>${caption}\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

/**
 * Checks that an inline SVG is a self-contained `<svg>` element (no scripts, event handlers,
 * foreign objects or external references) and drops its `xmlns` declarations, which HTML does
 * not need; throws LumenError('input') otherwise.
 */
export function inlineSvg(svg: string, where = 'figure'): string {
  check(typeof svg === 'string' && /^\s*<svg[\s>]/.test(svg) && /<\/svg>\s*$/.test(svg), 'input', () => `renderReport: ${where} svg must be one <svg>…</svg> element`);
  const bad = /<script|<foreignObject|\son[a-z]+\s*=|javascript:|(?:href|src)\s*=\s*["']?\s*(?!#|data:)[a-z]|url\(\s*["']?\s*(?!#)[a-z]|@import/i.exec(svg);
  check(!bad, 'input', () => `renderReport: ${where} svg contains ${JSON.stringify(bad![0])}; inline SVGs may not script or load anything`);
  return svg.trim().replace(/\s+xmlns(?::\w+)?="[^"]*"/g, '');
}

function renderFigure(f: ReportFigure, where: string): string {
  check(typeof f.caption === 'string', 'input', () => `renderReport: ${where} needs a caption`);
  check((f.image === undefined) !== (f.svg === undefined), 'input', () => `renderReport: ${where} needs exactly one of image (a data: URI) and svg`);
  let media: string;
  if (f.image !== undefined) {
    check(typeof f.image === 'string' && /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$/.test(f.image), 'input', () =>
      `renderReport: ${where} image must be a base64 data:image/… URI (the page makes no external requests); found ${JSON.stringify(String(f.image).slice(0, 40))}`);
    if (f.width !== undefined) check(typeof f.width === 'number' && f.width > 0, 'option', () => `renderReport: ${where} width must be a positive number; found ${String(f.width)}`);
    const cls = f.pixelated === false ? '' : ' class="pixelated"';
    const width = f.width !== undefined ? ` width="${Math.round(f.width)}"` : '';
    media = `<img${cls}${width} alt="${escapeHtml(f.alt ?? f.caption)}" src="${f.image}">`;
  } else {
    media = inlineSvg(f.svg!, where);
  }
  const note = f.note ? `<span class="note">${escapeHtml(f.note)}</span>` : '';
  return `<figure><div class="media">${media}</div><figcaption>${escapeHtml(f.caption)}${note}</figcaption></figure>`;
}

/** Renders a report to one self-contained HTML string (UTF-8, inline CSS, no scripts, no external URLs). */
export function renderReport(report: Report): string {
  check(report !== null && typeof report === 'object', 'input', () => `renderReport: expected {title, intro?, sections}; found ${String(report)}`);
  check(typeof report.title === 'string', 'input', () => 'renderReport: the report needs a title');
  check(Array.isArray(report.sections), 'input', () => 'renderReport: sections must be an array');
  const parts: string[] = [];
  parts.push('<!doctype html>');
  parts.push('<html lang="en">');
  parts.push('<head>');
  parts.push('<meta charset="utf-8">');
  parts.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  parts.push(`<title>${escapeHtml(report.title)}</title>`);
  parts.push(`<style>${CSS}</style>`);
  parts.push('</head>');
  parts.push('<body><main>');
  parts.push(`<h1>${escapeHtml(report.title)}</h1>`);
  if (report.intro) parts.push(paragraphs(report.intro, 'intro'));
  report.sections.forEach((s, i) => {
    const where = `section ${i} (${JSON.stringify(String(s?.title))})`;
    check(s !== null && typeof s === 'object' && typeof s.title === 'string', 'input', () => `renderReport: section ${i} needs a title`);
    parts.push(`<section>`);
    parts.push(`<h2>${escapeHtml(s.title)}</h2>`);
    if (s.text) parts.push(paragraphs(s.text));
    if (s.examples && s.examples.length > 0) parts.push(renderExamples(s.examples, where, inlineSvg));
    if (s.table) parts.push(renderTable(s.table, where));
    if (s.figures && s.figures.length > 0) {
      parts.push(`<div class="figures">\n${s.figures.map((f: ReportFigure, j: number) => renderFigure(f, `${where} figure ${j}`)).join('\n')}\n</div>`);
    }
    parts.push('</section>');
  });
  if (report.footer) parts.push(`<footer>${escapeHtml(report.footer)}</footer>`);
  parts.push('</main></body>');
  parts.push('</html>');
  return parts.join('\n') + '\n';
}
