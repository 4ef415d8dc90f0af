import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const example = (name: string): string => repoPath('examples', name);

function lumen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface ExplainJson { shape: number[]; data: number[]; featureNames: string[]; method: string }

test('lumen explain --method feature-ablation on a penguin CSV keeps the column names, and --features groups one-hot columns', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-perturb-'));
  const plain = lumen('explain', '--model', 'bundled:penguins', '--input', example('penguins.csv'), '--method', 'feature-ablation', '--target', '0', '--json');
  assert.equal(plain.status, 0, plain.stderr);
  const a = JSON.parse(plain.stdout) as ExplainJson;
  assert.equal(a.method, 'feature-ablation');
  assert.deepEqual(a.shape, [6, 9]);
  assert.equal(a.featureNames[3], 'Body Mass (g)');
  assert.equal(a.featureNames[5], 'Island=Dream');
  const mask = path.join(dir, 'groups.json');
  writeFileSync(mask, JSON.stringify({ shape: [9], data: [0, 1, 2, 3, 4, 4, 4, 5, 5] }));
  const grouped = lumen('explain', '--model', 'bundled:penguins', '--input', example('penguins.csv'), '--method', 'feature-ablation', '--target', '0', '--features', mask, '--json');
  assert.equal(grouped.status, 0, grouped.stderr);
  const g = JSON.parse(grouped.stdout) as ExplainJson;
  for (let e = 0; e < 6; e++) {
    const row = g.data.slice(e * 9, e * 9 + 9);
    assert.ok(row[4] === row[5] && row[5] === row[6], 'the island columns share one attribution');
    for (let j = 0; j < 4; j++) assert.ok(Math.abs(row[j] - a.data[e * 9 + j]) < 1e-5, 'measurements are ablated alone as before');
  }
  const summary = lumen('explain', '--model', 'bundled:penguins', '--input', example('penguins.csv'), '--method', 'occlusion', '--target', '0');
  assert.equal(summary.status, 0, summary.stderr);
  assert.match(summary.stdout, /largest \|attribution\|[\s\S]*(Beak|Flipper|Body|Island|Sex)/, 'the summary names the feature');
});

test('lumen explain passes --features patch:HxW and --samples to the methods that take them, and refuses them elsewhere', () => {
  const patch = lumen('explain', '--model', 'bundled:mnist', '--input', example('digit-7.png'), '--method', 'feature-ablation', '--features', 'patch:7x7', '--json');
  assert.equal(patch.status, 0, patch.stderr);
  const p = JSON.parse(patch.stdout) as ExplainJson;
  assert.equal(new Set(p.data.map((v) => v.toFixed(6))).size <= 16, true, '16 patches: at most 16 distinct values');
  const rise = lumen('explain', '--model', 'bundled:mnist', '--input', example('digit-7.png'), '--method', 'rise', '--samples', '50', '--seed', '3', '--json');
  assert.equal(rise.status, 0, rise.stderr);
  const again = lumen('explain', '--model', 'bundled:mnist', '--input', example('digit-7.png'), '--method', 'rise', '--samples', '50', '--seed', '3', '--json');
  assert.deepEqual((JSON.parse(rise.stdout) as ExplainJson).data, (JSON.parse(again.stdout) as ExplainJson).data, 'seeded');
  const cases: [string[], RegExp][] = [
    [['--method', 'saliency', '--features', 'patch:4x4'], /--features: saliency does not take feature masks; methods that do: .*feature-ablation/],
    [['--method', 'occlusion', '--samples', '5'], /--samples: occlusion does not take samples/],
    [['--method', 'feature-ablation', '--features', 'mask.txt'], /expected a .npy or .json mask/],
    [['--method', 'feature-ablation', '--features', 'patch:40x4'], /patch \[40,4\] is larger than the image/],
    [['--method', 'occlusion', '--opt', 'window=30x3'], /window size 30 on axis 0 must be an integer in 1…28/],
  ];
  for (const [args, message] of cases) {
    const r = lumen('explain', '--model', 'bundled:mnist', '--input', example('digit-7.png'), ...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});
