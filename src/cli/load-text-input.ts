import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import { encodeText, type Vocabulary } from '../text/vocabulary.js';

/** Texts made ready for a token model: ids [N, L] and the word at every position ('' at PAD). */
export interface TextInput {
  readonly batch: tf.Tensor;
  readonly tokens: readonly (readonly string[])[];
}

/**
 * The texts an `--input` names for a token model: a `.txt` file (one text), a `.jsonl` file (one
 * text per line: a JSON string or an object with a `text` field), or — when no such file exists —
 * the argument itself (`--input "win a free prize"`). Each text's first `length` words are encoded
 * with `vocabulary` (unknown words → UNK, PAD after the end).
 */
export function loadTextInput(input: string, vocabulary: Vocabulary, length: number): TextInput {
  let texts: string[];
  if (existsSync(input)) {
    const raw = readFileSync(input, 'utf8');
    if (path.extname(input).toLowerCase() === '.jsonl') {
      texts = raw.split('\n').filter((l) => l.trim()).map((line, i) => {
        let v: unknown;
        try {
          v = JSON.parse(line);
        } catch {
          throw new LumenError('input', `${input}: line ${i + 1}: expected a JSON string or {"text": …}; found invalid JSON`);
        }
        const text = typeof v === 'string' ? v : (v as { text?: unknown } | null)?.text;
        if (typeof text !== 'string') throw new LumenError('input', `${input}: line ${i + 1}: expected a JSON string or an object with a string "text"; found ${JSON.stringify(v).slice(0, 60)}`);
        return text;
      });
    } else {
      texts = [raw];
    }
  } else {
    texts = [input];
  }
  check(texts.length > 0, 'input', () => `${input}: expected at least one text; found none`);
  const encoded = texts.map((t) => encodeText(vocabulary, t, length));
  encoded.forEach((e, i) => check(e.length > 0, 'input', () => `${input}: text ${i + 1} has no words the model reads (letters, digits, apostrophes)`));
  const ids = new Float32Array(texts.length * length);
  encoded.forEach((e, i) => ids.set(e.ids, i * length));
  return { batch: tf.tensor2d(ids, [texts.length, length]), tokens: encoded.map((e) => e.words) };
}
