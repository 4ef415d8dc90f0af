/**
 * Figures of TCAV (Kim et al. 2018) and of layer × layer similarity (CKA, SVCCA; Kornblith et al.
 * 2019): TCAV scores as bars with ±1 std error bars over runs, a dashed line at the random-vs-random
 * mean and significance stars (* p < 0.05, ** p < 0.01, *** p < 0.001 on the corrected p-values),
 * as SVG or PNG; and a similarity matrix as a heatmap (viridis, 0…1) with its values printed.
 */
import type { ConceptsExplanation, SimilarityExplanation } from '../core/explanation.js';
import { colorAt, colormap } from './colormap.js';
import { drawText, measureText } from './font.js';
import { escapeHtml } from './format.js';
import { createRgba, fillRect, type RgbaBuffer } from './image.js';

/** Significance stars of a p-value: '***' < 0.001, '**' < 0.01, '*' < 0.05, else ''. */
export function significanceStars(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return '';
  return p < 0.001 ? '***' : p < 0.01 ? '**' : p < 0.05 ? '*' : '';
}

interface Bar { name: string; value: number; err: number; stars: string }

function tcavBars(e: ConceptsExplanation): { bars: Bar[]; random: number | null; title: string } {
  const std = Array.isArray(e.meta?.std) ? (e.meta.std as number[]) : [];
  const random = typeof e.meta?.randomMean === 'number' ? e.meta.randomMean : null;
  const cls = e.scores[0]?.class ?? '';
  const layer = e.scores[0]?.layer ?? '';
  return {
    bars: e.scores.map((s, i) => ({ name: s.concept, value: s.score, err: typeof std[i] === 'number' ? std[i] : 0, stars: significanceStars(s.pValue) })),
    random,
    title: `TCAV scores, class ${cls}, ${layer}`,
  };
}

const W = 40;
const GAP = 16;
const H = 160;
const TOP = 28;
const LEFT = 36;
const BOTTOM = 30;

/** TCAV scores as an SVG bar chart with error bars, the random mean and significance stars. */
export function tcavSvg(e: ConceptsExplanation): string {
  const { bars, random, title } = tcavBars(e);
  const width = LEFT + bars.length * (W + GAP) + GAP;
  const height = TOP + H + BOTTOM;
  const y = (v: number): number => TOP + H * (1 - Math.max(0, Math.min(1, v)));
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="10">`,
    `<text x="4" y="14" font-size="11">${escapeHtml(title)}</text>`,
    `<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + H}" stroke="#333"/>`,
    ...[0, 0.5, 1].map((t) => `<text x="${LEFT - 4}" y="${y(t) + 3}" text-anchor="end">${t}</text>`)];
  bars.forEach((b, i) => {
    const x = LEFT + GAP + i * (W + GAP);
    parts.push(`<rect x="${x}" y="${y(b.value)}" width="${W}" height="${TOP + H - y(b.value)}" fill="#4c78a8"/>`);
    const cx = x + W / 2;
    parts.push(`<line x1="${cx}" y1="${y(b.value - b.err)}" x2="${cx}" y2="${y(b.value + b.err)}" stroke="#000"/>`);
    parts.push(`<line x1="${cx - 6}" y1="${y(b.value + b.err)}" x2="${cx + 6}" y2="${y(b.value + b.err)}" stroke="#000"/>`);
    parts.push(`<line x1="${cx - 6}" y1="${y(b.value - b.err)}" x2="${cx + 6}" y2="${y(b.value - b.err)}" stroke="#000"/>`);
    if (b.stars) parts.push(`<text x="${cx}" y="${y(b.value + b.err) - 3}" text-anchor="middle" font-size="12">${b.stars}</text>`);
    parts.push(`<text x="${cx}" y="${TOP + H + 14}" text-anchor="middle">${escapeHtml(b.name)}</text>`);
  });
  if (random !== null) parts.push(`<line x1="${LEFT}" y1="${y(random)}" x2="${width - 4}" y2="${y(random)}" stroke="#e45756" stroke-dasharray="4 3"/><text x="${width - 4}" y="${y(random) - 3}" text-anchor="end" fill="#e45756">random</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** The same chart as an RGBA image (for `.png` outputs). */
export function tcavPng(e: ConceptsExplanation): RgbaBuffer {
  const { bars, random, title } = tcavBars(e);
  const width = Math.max(LEFT + bars.length * (W + GAP) + GAP, measureText(title).width + 8);
  const img = createRgba(width, TOP + H + BOTTOM);
  const y = (v: number): number => Math.round(TOP + H * (1 - Math.max(0, Math.min(1, v))));
  drawText(img, title, 4, 6);
  fillRect(img, LEFT, TOP, 1, H, [60, 60, 60]);
  for (const t of [0, 0.5, 1]) drawText(img, String(t), LEFT - 4 - measureText(String(t)).width, y(t) - 3);
  bars.forEach((b, i) => {
    const x = LEFT + GAP + i * (W + GAP);
    fillRect(img, x, y(b.value), W, TOP + H - y(b.value), [76, 120, 168]);
    const cx = x + W / 2;
    const top = y(b.value + b.err);
    const bottom = y(b.value - b.err);
    fillRect(img, cx, top, 1, bottom - top + 1, [0, 0, 0]);
    fillRect(img, cx - 5, top, 11, 1, [0, 0, 0]);
    fillRect(img, cx - 5, bottom, 11, 1, [0, 0, 0]);
    if (b.stars) drawText(img, b.stars, cx - Math.floor(measureText(b.stars).width / 2), Math.max(TOP - 10, top - 10));
    const label = b.name.slice(0, 8);
    drawText(img, label, cx - Math.floor(measureText(label).width / 2), TOP + H + 6);
  });
  if (random !== null) for (let x = LEFT; x < width - 4; x += 6) fillRect(img, x, y(random), 3, 1, [228, 87, 86]);
  return img;
}

const CELL = 28;

/** A similarity matrix (CKA, SVCCA, CCA) as an SVG heatmap, values printed in the cells. */
export function similaritySvg(e: SimilarityExplanation): string {
  const map = colormap('viridis');
  const left = 8 + Math.max(...e.rows.map((r) => r.length)) * 6;
  const top = 24;
  const width = left + e.columns.length * CELL + 8;
  const height = top + e.rows.length * CELL + 8 + Math.max(...e.columns.map((c) => c.length)) * 6;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="9">`,
    `<text x="4" y="14" font-size="11">${escapeHtml(e.method)}</text>`];
  e.values.forEach((row, i) => {
    parts.push(`<text x="${left - 4}" y="${top + i * CELL + CELL / 2 + 3}" text-anchor="end">${escapeHtml(e.rows[i])}</text>`);
    row.forEach((v, j) => {
      const [r, g, b] = colorAt(map, v);
      parts.push(`<rect x="${left + j * CELL}" y="${top + i * CELL}" width="${CELL}" height="${CELL}" fill="rgb(${r},${g},${b})"/>`);
      parts.push(`<text x="${left + j * CELL + CELL / 2}" y="${top + i * CELL + CELL / 2 + 3}" text-anchor="middle" fill="${v > 0.6 ? '#000' : '#fff'}">${Number.isFinite(v) ? v.toFixed(2) : '–'}</text>`);
    });
  });
  e.columns.forEach((c, j) => parts.push(`<text transform="translate(${left + j * CELL + CELL / 2 + 3},${top + e.rows.length * CELL + 6}) rotate(90)">${escapeHtml(c)}</text>`));
  parts.push('</svg>');
  return parts.join('\n');
}

/** The same heatmap as an RGBA image (for `.png` outputs); labels under and left of the cells. */
export function similarityPng(e: SimilarityExplanation): RgbaBuffer {
  const map = colormap('viridis');
  const left = 8 + Math.max(...e.rows.map((r) => measureText(r).width));
  const top = 20;
  const width = Math.max(left + e.columns.length * CELL + 8, measureText(e.method).width + 8);
  const img = createRgba(width, top + e.rows.length * CELL + 16);
  drawText(img, e.method, 4, 4);
  e.values.forEach((row, i) => {
    drawText(img, e.rows[i], 4, top + i * CELL + CELL / 2 - 3);
    row.forEach((v, j) => fillRect(img, left + j * CELL, top + i * CELL, CELL, CELL, colorAt(map, v)));
  });
  e.columns.forEach((c, j) => drawText(img, String(j), left + j * CELL + CELL / 2 - 2, top + e.rows.length * CELL + 4));
  return img;
}
