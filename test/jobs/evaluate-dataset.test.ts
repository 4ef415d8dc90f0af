import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');

test('lumen evaluate takes the datasets lumen explain --data takes (bundled:penguins:N here), all rows scored', () => {
  const r = spawnSync('node', [cli, 'evaluate', '--model', 'bundled:penguins', '--data', 'bundled:penguins:12', '--methods', 'saliency,input-x-gradient', '--metrics', 'sparseness', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { examples: number; metrics: { id: string; results: { scores: number[] }[] }[] };
  assert.equal(result.examples, 12);
  assert.equal(result.metrics[0].results[0].scores.length, 12);
  const missing = spawnSync('node', [cli, 'evaluate', '--model', 'bundled:penguins', '--data', 'no-such-folder', '--methods', 'saliency'], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no such file or folder/);
});
