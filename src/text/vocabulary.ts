import { check } from '../core/errors.js';

/** A word vocabulary: `tokens[id]` is the word of id; id 0 is PAD, id 1 is UNK. */
export interface Vocabulary {
  readonly tokens: readonly string[];
}

/** The reserved ids of every Vocabulary. */
export const PAD_ID = 0;
export const UNK_ID = 1;
const PAD = '<pad>';
const UNK = '<unk>';

/**
 * The words of a text as the bundled text models read it: lower-cased runs of letters, digits and
 * apostrophes (`"Don't"` → `don't`), at most `maxWordLength` characters each (longer runs — base64,
 * URLs — are dropped).
 */
export function wordTokens(text: string, maxWordLength = 20): string[] {
  const words = text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
  return words.map((w) => w.replace(/^'+|'+$/g, '')).filter((w) => w.length > 0 && w.length <= maxWordLength);
}

/**
 * A vocabulary of the `size` − 2 most frequent words of `documents` (ties broken alphabetically,
 * so the same documents always give the same ids), after PAD and UNK.
 */
export function buildVocabulary(documents: Iterable<readonly string[]>, size: number): Vocabulary {
  check(Number.isInteger(size) && size > 2, 'option', () => `buildVocabulary: size must be an integer above 2 (PAD and UNK are reserved); found ${size}`);
  const counts = new Map<string, number>();
  for (const doc of documents) for (const w of doc) counts.set(w, (counts.get(w) ?? 0) + 1);
  const ranked = [...counts].filter(([w]) => w !== PAD && w !== UNK).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { tokens: [PAD, UNK, ...ranked.slice(0, size - 2).map(([w]) => w)] };
}

/** A text encoded for a model: `length` ids (PAD at the end) and the word each position holds. */
export interface EncodedText {
  readonly ids: Int32Array;
  /** The words of the first `ids.length` positions (the text's own words, UNK ones included), '' at PAD. */
  readonly words: readonly string[];
  /** How many positions hold words (the rest is PAD). */
  readonly length: number;
}

/** Encodes a text's first `length` words (unknown words → UNK), padded with PAD to `length`. */
export function encodeText(vocabulary: Vocabulary, text: string | readonly string[], length: number): EncodedText {
  check(Number.isInteger(length) && length > 0, 'option', () => `encodeText: length must be a positive integer; found ${length}`);
  const index = vocabularyIndex(vocabulary);
  const words = (typeof text === 'string' ? wordTokens(text) : [...text]).slice(0, length);
  const ids = new Int32Array(length);
  words.forEach((w, i) => { ids[i] = index.get(w) ?? UNK_ID; });
  return { ids, words: [...words, ...new Array<string>(length - words.length).fill('')], length: words.length };
}

const indexes = new WeakMap<Vocabulary, Map<string, number>>();

function vocabularyIndex(vocabulary: Vocabulary): Map<string, number> {
  let index = indexes.get(vocabulary);
  if (!index) {
    check(vocabulary.tokens[PAD_ID] === PAD && vocabulary.tokens[UNK_ID] === UNK, 'option', () =>
      `encodeText: a vocabulary starts with '${PAD}' and '${UNK}'; found '${vocabulary.tokens[0]}', '${vocabulary.tokens[1]}'`);
    index = new Map(vocabulary.tokens.map((w, i) => [w, i]));
    indexes.set(vocabulary, index);
  }
  return index;
}
