import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath } from '../helpers.js';

test('lumen evaluate --json ranks every method on every metric and writes the HTML report', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'lumen-eval-'));
  const cli = repoPath('dist', 'src', 'cli', 'main.js');
  const text = execFileSync('node', [cli, 'evaluate', '--model', 'bundled:mnist', '--data', 'bundled:mnist:2', '--methods', 'saliency,input-x-gradient',
    '--metrics', 'deletion,sparseness,max-sensitivity', '--json', '--out', out], { encoding: 'utf8' });
  const e = JSON.parse(text) as { metrics: { id: string; results: { method: string; rank: number; scores: number[] }[] }[]; verdicts: Record<string, string> };
  assert.deepEqual(e.metrics.map((m) => m.id), ['deletion', 'sparseness', 'max-sensitivity']);
  for (const m of e.metrics) {
    assert.deepEqual(m.results.map((r) => r.rank).sort(), [1, 2]);
    assert.ok(m.results.every((r) => r.scores.length === 2));
  }
  assert.ok(e.verdicts.saliency.includes('mean rank'));
  assert.ok(readFileSync(path.join(out, 'index.html'), 'utf8').includes('<svg'));
});
