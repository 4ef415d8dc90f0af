import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ruleText } from '../../src/cli/anchors-format.js';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
function lumen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('node', [cli, ...args], { encoding: 'utf8' });
}

test('ruleText writes standardised thresholds in their units and one-hot columns as categories', () => {
  const standardization = { features: ['Flipper Length (mm)'], mean: [200], std: [10] };
  const text = ruleText({ conditions: [
    { feature: 'Flipper Length (mm)', op: '>', value: 1 }, { feature: 'Flipper Length (mm)', op: '<=', value: 1.5 },
    { feature: 'Island=Dream', op: '==', value: 1 }, { feature: 'Sex=MALE', op: '==', value: 0 },
  ], outcome: 'Gentoo', precision: 0.97, coverage: 0.2 }, standardization);
  assert.equal(text, 'IF 210 < Flipper Length (mm) <= 215 AND Island = Dream AND Sex ≠ MALE THEN Gentoo  (precision 0.970, coverage 0.200)');
});

test('lumen anchors --model bundled:penguins prints if-then rules in mm and g from its own data; --json is a rules record', () => {
  const r = lumen('anchors', '--model', 'bundled:penguins', '--rows', '2');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^row 2: IF .*\(mm\).* THEN (Adelie|Chinstrap|Gentoo) {2}\(precision \d\.\d{3}, coverage \d\.\d{3}\)/);
  const j = lumen('anchors', '--model', 'bundled:penguins', '--rows', '0,1', '--json', '--seed', '3');
  assert.equal(j.status, 0, j.stderr);
  const e = JSON.parse(j.stdout) as { kind: string; rules: { outcome: string }[]; meta: { seed: number } };
  assert.equal(e.kind, 'rules');
  assert.equal(e.rules.length, 2);
  assert.equal(e.meta.seed, 3);
  assert.ok(e.rules.every((rule) => ['Adelie', 'Chinstrap', 'Gentoo'].includes(rule.outcome)));
});

test('lumen anchors draws image anchors; a bad option or a PNG for a table is refused (exit 2, nothing written)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-anchors-'));
  const png = path.join(dir, 'anchor.png');
  const r = lumen('anchors', '--model', 'bundled:mnist', '--opt', 'background=0', '--opt', 'superpixels=slic:25', '--out', png);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual([...readFileSync(png).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  const bad = lumen('anchors', '--model', 'bundled:penguins', '--opt', 'threshold=2');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /threshold must be in \(0, 1\]; found 2/);
  const table = path.join(dir, 't.png');
  const wrong = lumen('anchors', '--model', 'bundled:penguins', '--out', table);
  assert.equal(wrong.status, 2);
  assert.ok(!existsSync(table));
});
