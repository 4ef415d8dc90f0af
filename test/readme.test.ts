import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { methodTable } from '../src/method-table.js';
import { repoPath } from './helpers.js';

test("README's method list is the registry's (run `npm run readme` after adding a method)", () => {
  const text = readFileSync(repoPath('README.md'), 'utf8');
  const section = text.split('<!-- methods:start -->')[1]?.split('<!-- methods:end -->')[0]?.trim();
  assert.equal(section, methodTable());
});

test('README names the two commands and .ci/run runs the test one', () => {
  const text = readFileSync(repoPath('README.md'), 'utf8');
  assert.match(text, /npm ci && npm run demo/);
  assert.match(text, /npm ci && npm test/);
  const ci = readFileSync(repoPath('.ci', 'run'), 'utf8');
  assert.match(ci, /^npm ci\nnpm test$/m);
});
