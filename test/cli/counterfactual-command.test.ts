import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { counterfactualText } from '../../src/cli/counterfactual-format.js';
import type { AttackExplanation } from '../../src/core/explanation.js';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
function lumen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('node', [cli, ...args], { encoding: 'utf8' });
}

test('counterfactualText writes each counterfactual as class before → after and a table of changes in the data\'s units', () => {
  const e: AttackExplanation = {
    kind: 'attack', method: 'dice', shape: [2], inputs: [1.5, 1, 0, 0], originalPredictions: [0, 0], predictions: [2, 0], norms: [1.25, 0],
    meta: { query: [0, 0], target: [2, 2], changes: [[{ feature: 'Flipper Length (mm)', before: 0, after: 1.5 }, { feature: 'Island=Dream', before: 0, after: 1 }], []] },
  };
  const text = counterfactualText(e, ['row 7'], ['Adelie', 'Chinstrap', 'Gentoo'], { features: ['Flipper Length (mm)'], mean: [200], std: [10] });
  assert.equal(text, [
    'row 7: Adelie → Gentoo  (distance 1.25 MAD-L1, 2 features changed)',
    '  feature              before     after',
    '  -------------------  ------  -  -----',
    '  Flipper Length (mm)  200     →  215',
    '  Island=Dream         0       →  1',
    'row 7: Adelie → Adelie  [target Gentoo not reached]  (distance 0 MAD-L1, 0 features changed)',
    '',
  ].join('\n'));
});

test('lumen counterfactual --model bundled:penguins prints before → after in mm and g; --json / --out are the attack record; --immutable holds a one-hot group', () => {
  const r = lumen('counterfactual', '--model', 'bundled:penguins', '--rows', '0', '--target', 'Gentoo', '--opt', 'lambdaSteps=6');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^row 0: (Adelie|Chinstrap) → Gentoo {2}\(distance [\d.]+ MAD-L1, \d features? changed\)\n {2}feature +before +after\n/);
  assert.match(r.stdout, /\((mm|g)\) +[\d.]+ +→ +[\d.]+/);
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-cf-'));
  const out = path.join(dir, 'cf.json');
  const j = lumen('counterfactual', '--model', 'bundled:penguins', '--rows', '1,2', '--method', 'dice', '--opt', 'count=2', '--opt', 'maxIterations=600',
    '--immutable', 'Island,Sex', '--seed', '5', '--json', '--out', out);
  assert.equal(j.status, 0, j.stderr);
  const e = JSON.parse(j.stdout) as AttackExplanation;
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), e);
  assert.equal(e.method, 'dice');
  assert.equal(e.predictions.length, 4);
  const changes = e.meta?.changes as unknown as { feature: string }[][];
  assert.ok(changes.flat().every((c) => !/^(Island|Sex)=/.test(c.feature)), 'no change to an immutable one-hot group');
  assert.ok(changes.every((c) => c.length > 0), 'each counterfactual changes something');
  assert.deepEqual(e.predictions, e.meta?.target, 'every counterfactual reaches its target');
});

test('lumen counterfactual refuses a bad --method, --target or image model (exit 2, nothing written)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-cf-'));
  const out = path.join(dir, 'cf.json');
  const bad = lumen('counterfactual', '--model', 'bundled:penguins', '--method', 'anchors', '--out', out);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--method: expected wachter, dice, proto or cem; found 'anchors'/);
  const target = lumen('counterfactual', '--model', 'bundled:penguins', '--target', 'Emperor', '--out', out);
  assert.equal(target.status, 2);
  assert.match(target.stderr, /--target: expected a class index, a class name \(Adelie, Chinstrap, Gentoo\) or 'other'; found 'Emperor'/);
  const image = lumen('counterfactual', '--model', 'bundled:mnist', '--out', out);
  assert.equal(image.status, 2);
  assert.match(image.stderr, /not a table row/);
  assert.equal(existsSync(out), false);
});
