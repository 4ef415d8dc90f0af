import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LumenError } from '../../src/core/errors.js';
import { buildVocabulary, encodeText, PAD_ID, UNK_ID, wordTokens } from '../../src/text/vocabulary.js';

test('wordTokens lower-cases words, keeps inner apostrophes and drops over-long runs', () => {
  assert.deepEqual(wordTokens("Don't WIN $1,000 'now'! aaaaaaaaaaaaaaaaaaaaaaaaa ok"), ["don't", 'win', '1', '000', 'now', 'ok']);
  assert.deepEqual(wordTokens('...'), []);
});

test('buildVocabulary ranks words by count, ties alphabetically, after PAD and UNK', () => {
  const v = buildVocabulary([['b', 'a', 'c', 'a'], ['c', 'b', 'd']], 5);
  assert.deepEqual(v.tokens, ['<pad>', '<unk>', 'a', 'b', 'c']);
  assert.throws(() => buildVocabulary([], 2), LumenError);
});

test('encodeText maps unknown words to UNK, pads with PAD and keeps the words of every position', () => {
  const v = buildVocabulary([['free', 'prize', 'free']], 4);
  const e = encodeText(v, 'FREE money prize', 5);
  assert.deepEqual(Array.from(e.ids), [2, UNK_ID, 3, PAD_ID, PAD_ID]);
  assert.deepEqual(e.words, ['free', 'money', 'prize', '', '']);
  assert.equal(e.length, 3);
  assert.deepEqual(Array.from(encodeText(v, 'free free free free', 2).ids), [2, 2], 'truncated to the length');
  assert.throws(() => encodeText(v, 'x', 0), LumenError);
  assert.throws(() => encodeText({ tokens: ['a', 'b'] }, 'x', 3), (e: unknown) => e instanceof LumenError && /<pad>/.test(e.message));
});
