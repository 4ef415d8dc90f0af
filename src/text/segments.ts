import { check } from '../core/errors.js';
import { wordTokens } from './vocabulary.js';

/** How a prompt is cut into the players of a generation attribution. */
export type SegmentUnit = 'words' | 'sentences';

/** A text's words (as `wordTokens` reads them) and the segment of each word, 0…S−1. */
export interface TextSegments {
  readonly words: readonly string[];
  readonly segments: readonly number[];
}

/**
 * Cuts a text into segments for `llmAttribution` / `llmGradientAttribution` (Captum's
 * `TextTemplateInput` of segments, without a template): every word its own segment (`'words'`), or
 * one segment per sentence or clause (`'sentences'`: text between `.`, `!`, `?`, `;`, `:` or a
 * newline). Words are lower-cased runs of letters, digits and apostrophes, as the bundled text
 * models read them.
 */
export function textSegments(text: string, by: SegmentUnit = 'words'): TextSegments {
  check(typeof text === 'string', 'input', () => `textSegments: expected a text; found ${typeof text}`);
  check(by === 'words' || by === 'sentences', 'option', () => `textSegments: segments are 'words' or 'sentences'; found '${String(by)}'`);
  if (by === 'words') {
    const words = wordTokens(text);
    return { words, segments: words.map((_, i) => i) };
  }
  const words: string[] = [];
  const segments: number[] = [];
  let s = 0;
  for (const part of text.split(/[.!?;:\n]+/)) {
    const w = wordTokens(part);
    if (w.length === 0) continue;
    words.push(...w);
    segments.push(...w.map(() => s));
    s++;
  }
  return { words, segments };
}
