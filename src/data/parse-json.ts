/**
 * JSON.parse for input files, with the errors a user can act on: a syntax error or nesting deeper
 * than `MAX_JSON_DEPTH` (a 5,000-level array would overflow the stack of any recursive reader)
 * is a LumenError('file') naming the file, what was expected and what was found.
 */
import { LumenError } from '../core/errors.js';

/** The deepest nesting of arrays and objects an input JSON file may have (tensors need one level per dimension). */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of `[`/`{` in JSON text (strings skipped), found without recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) max = Math.max(max, ++depth);
    else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return max;
}

/** Parses `text` read from `source`; `expected` describes what the file should hold (for messages). */
export function parseJson(text: string, source: string, expected: string): unknown {
  const depth = jsonDepth(text);
  if (depth > MAX_JSON_DEPTH) {
    throw new LumenError('file', `${source}: expected ${expected} nested at most ${MAX_JSON_DEPTH} levels deep; found ${depth} levels`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new LumenError('file', `${source}: expected valid JSON (${expected}); found a syntax error: ${(e as Error).message}`);
  }
}
