import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { indexSource } from '../scripts/index-source.js';
import { repoPath } from './helpers.js';

test('src/index.ts exports every module of src/ (run `npm run index` after adding a file)', () => {
  assert.equal(readFileSync(repoPath('src', 'index.ts'), 'utf8'), indexSource(repoPath('src')));
});
