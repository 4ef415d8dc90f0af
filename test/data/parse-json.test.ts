import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readInput } from '../../src/data/io.js';
import { jsonDepth, MAX_JSON_DEPTH, parseJson } from '../../src/data/parse-json.js';
import { lumenError } from '../render/helpers.js';

test('jsonDepth counts nesting outside strings, without recursion', () => {
  assert.equal(jsonDepth('1'), 0);
  assert.equal(jsonDepth('[[1], {"a": [2]}]'), 3);
  assert.equal(jsonDepth('["[[[[", "\\"[["]'), 1);
  assert.equal(jsonDepth('['.repeat(100000)), 100000);
});

test('parseJson: 5,000 levels and syntax errors are LumenErrors naming the file', () => {
  const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
  assert.throws(() => parseJson(deep, 'deep.json', 'a tensor'), lumenError('file', /deep\.json: expected a tensor nested at most 64 levels deep; found 5000 levels/));
  assert.throws(() => parseJson('{"a": ', 'x.json', 'a table'), lumenError('file', /x\.json: expected valid JSON \(a table\); found a syntax error/));
  assert.deepEqual(parseJson(`${'['.repeat(MAX_JSON_DEPTH)}1${']'.repeat(MAX_JSON_DEPTH)}`, 'ok.json', 'a tensor') !== undefined, true);
});

test('readInput of a 5,000-level JSON file is a LumenError, not a stack overflow', () => {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'lumen-json-')), 'deep.json');
  writeFileSync(f, `${'['.repeat(5000)}1${']'.repeat(5000)}`);
  assert.throws(() => readInput(f), lumenError('file', /nested at most 64 levels deep; found 5000 levels/));
});
