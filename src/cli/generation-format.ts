import type { GenerationAttribution } from '../attribution/generation/generation-attribution.js';
import { LumenError } from '../core/errors.js';
import { encodePng } from '../render/png.js';
import { tokenHighlightPage, tokenHighlightPng, tokenHighlightSvg, type TokenRow } from '../render/token-highlight.js';
import { formatTable } from './table.js';
import { tokenHighlights } from './token-summary.js';

/** A generation attribution with the words of its prompt and continuation. */
export interface WordedGeneration {
  readonly result: GenerationAttribution;
  readonly promptWords: readonly string[];
  readonly generatedWords: readonly string[];
}

/** Every prompt word's value in row `values` (a segment's value on each of its words). */
function perWord(g: WordedGeneration, values: readonly number[]): number[] {
  return g.result.segments.map((s) => values[s] ?? 0);
}

/** The rows people read: the whole continuation first, then one per generated token. */
function rows(g: WordedGeneration): { label: string; values: number[] }[] {
  const total = g.result.logProbs.reduce((a, b) => a + b, 0);
  return [
    { label: `continuation "${g.generatedWords.join(' ')}" (log p ${total.toFixed(3)})`, values: perWord(g, g.result.sequenceAttribution) },
    ...g.result.tokenAttribution.map((v, k) => ({ label: `→ ${g.generatedWords[k]} (log p ${g.result.logProbs[k]!.toFixed(3)})`, values: perWord(g, v) })),
  ];
}

/**
 * The terminal summary of `lumen generate-explain`: prompt → continuation, the prompt's words
 * highlighted by their share of the continuation's and of each token's log-probability (ANSI
 * colours or `word[+0.12]`), and a table of segments × generated tokens.
 */
export function generationSummary(g: WordedGeneration, colour: boolean): string {
  const r = rows(g);
  const out = [`${g.result.method}: "${g.promptWords.join(' ')}" → "${g.generatedWords.join(' ')}"`, ''];
  out.push(tokenHighlights(r.map((x) => x.values), r.map(() => g.promptWords), colour, r.map((x) => x.label)).trimEnd());
  const segs = g.result.sequenceAttribution.length;
  const names = Array.from({ length: segs }, (_, s) => g.promptWords.filter((_, i) => g.result.segments[i] === s).join(' '));
  const table = names.map((name, s) => [name, g.result.sequenceAttribution[s]!.toFixed(4), ...g.result.tokenAttribution.map((row) => row[s]!.toFixed(4))]);
  out.push('', formatTable(['segment', 'sequence', ...g.generatedWords.map((w, k) => `${k + 1}:${w}`)], table));
  return `${out.join('\n')}\n`;
}

/** The JSON record `--json` prints and `--out x.json` writes. */
export function generationJson(g: WordedGeneration): Record<string, unknown> {
  return { ...g.result, promptWords: g.promptWords, generatedWords: g.generatedWords };
}

/** The picture `--out` writes: one highlighted prompt per row (continuation, then each token), one shared diverging scale. */
export function generationFigure(ext: string, g: WordedGeneration, title: string): Uint8Array | string {
  const tokenRows: TokenRow[] = rows(g).map((x) => ({ tokens: g.promptWords, values: x.values, label: x.label }));
  if (ext === '.png') return encodePng(tokenHighlightPng(tokenRows, { title }));
  if (ext === '.svg') return tokenHighlightSvg(tokenRows, { title });
  if (ext === '.html') return tokenHighlightPage(tokenRows, { title });
  throw new LumenError('option', `--out: a generation attribution is written as .json, .png, .svg or .html; found '${ext}'`);
}
