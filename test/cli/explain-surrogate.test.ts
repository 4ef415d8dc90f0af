import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readCsv } from '../../src/data/csv.js';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');

function lumen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('lumen explain --method kernel-shap on penguins from JSON records keeps the column names; efficiency holds', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-surrogate-'));
  const table = readCsv(repoPath('examples', 'penguins.csv'));
  const records = table.rows.slice(0, 2).map((r) => Object.fromEntries(table.names.map((n, k) => [n, r[k]])));
  const input = path.join(dir, 'penguins.json');
  writeFileSync(input, JSON.stringify(records));
  const out = path.join(dir, 'ks.json');
  const r = lumen('explain', '--model', 'bundled:penguins', '--input', input, '--method', 'kernel-shap', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(readFileSync(out, 'utf8')) as { shape: number[]; featureNames: string[]; meta: { featureNames: string[]; delta: number[]; exact: boolean[] } };
  assert.deepEqual(json.shape, [2, 9]);
  assert.deepEqual(json.meta.featureNames, json.featureNames);
  assert.ok(json.meta.featureNames.includes('Beak Length (mm)'));
  assert.deepEqual(json.meta.exact, [true, true]);
  for (const d of json.meta.delta) assert.ok(Math.abs(d) < 1e-5);
});

test('lumen explain --superpixels slic:20 --samples 64 runs LIME over superpixels of a digit and reports its fit', () => {
  const r = lumen('explain', '--model', 'bundled:mnist', '--input', repoPath('examples', 'digit-7.png'), '--method', 'lime', '--superpixels', 'slic:20', '--samples', '64', '--json');
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { shape: number[]; meta: { r2: number[]; featureValues: number[][]; modelCalls: number } };
  assert.deepEqual(json.shape, [1, 28, 28, 1]);
  assert.ok(json.meta.featureValues[0].length >= 10 && json.meta.featureValues[0].length <= 40);
  assert.ok(json.meta.r2[0] <= 1);
  const bad = lumen('explain', '--model', 'bundled:mnist', '--input', repoPath('examples', 'digit-7.png'), '--method', 'saliency', '--superpixels', 'slic');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--superpixels: saliency has no 'superpixels' option/);
});
