import { LumenError } from '../core/errors.js';
import { encodePng } from '../render/png.js';
import { tokenHighlightPage, tokenHighlightPng, tokenHighlightSvg, type TokenRow } from '../render/token-highlight.js';

/**
 * The picture `--out` writes for a token model: every example's words highlighted by their scores
 * (one per position, PAD left out) on one shared scale — a PNG, an SVG or an HTML page (the value
 * on hover). `targets` name the explained class of each example.
 */
export function tokenFigure(ext: string, scores: readonly (readonly number[])[], tokens: readonly (readonly string[])[], targets: readonly string[], title: string): Uint8Array | string {
  const rows: TokenRow[] = scores.map((values, n) => ({ tokens: tokens[n] ?? [], values, label: `example ${n}${targets[n] !== undefined ? `, target ${targets[n]}` : ''}` }));
  if (ext === '.png') return encodePng(tokenHighlightPng(rows, { title }));
  if (ext === '.svg') return tokenHighlightSvg(rows, { title });
  if (ext === '.html') return tokenHighlightPage(rows, { title });
  throw new LumenError('option', `--out: token highlights are written as .png, .svg or .html; found '${ext}'`);
}
