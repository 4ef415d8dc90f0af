import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readLabels } from '../../src/data/labels.js';
import { lumenError } from '../render/helpers.js';

function file(text: string): string {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'lumen-labels-')), 'labels.txt');
  writeFileSync(f, text);
  return f;
}

test('readLabels reads one class name per line (CRLF, BOM and trailing blank lines tolerated)', () => {
  assert.deepEqual(readLabels(file('\uFEFFangry\r\nhappy\r\nneutral\r\n\r\n')), ['angry', 'happy', 'neutral']);
});

test('readLabels refuses an empty file, a blank line between names and a repeated name, naming the line', () => {
  assert.throws(() => readLabels(file('\n\n')), lumenError('file', /found an empty file/));
  assert.throws(() => readLabels(file('a\n\nb\n')), lumenError('file', /found an empty line 2/));
  assert.throws(() => readLabels(file('a\nb\na\n')), lumenError('file', /found 'a' on lines 1 and 3/));
  assert.throws(() => readLabels('/no/such/labels.txt'), lumenError('file', /no such file/));
});
