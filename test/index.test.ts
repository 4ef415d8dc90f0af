import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { indexSource } from '../scripts/index-source.js';
import { repoPath } from './helpers.js';

test('src/index.ts exports every module of src/ (run `npm run index` after adding a file)', () => {
  assert.equal(readFileSync(repoPath('src', 'index.ts'), 'utf8'), indexSource(repoPath('src')));
});

test("the package entry loads on its own in a fresh process (no import cycle leaves a registry uninitialised)", () => {
  const entry = pathToFileURL(repoPath('dist', 'src', 'index.js')).href;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(entry)}); console.log(m.METHODS.length, typeof m.lrp, typeof m.kernelShap);`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [count, lrpType, shapType] = r.stdout.trim().split(/\s+/);
  assert.ok(Number(count) > 30, `METHODS has ${count} entries`);
  assert.deepEqual([lrpType, shapType], ['function', 'function']);
});
