import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodePng } from '../../src/render/png.js';
import { repoPath } from '../helpers.js';

const cli = (args: string[]) => spawnSync(process.execPath, [repoPath('dist', 'src', 'cli', 'main.js'), ...args], { encoding: 'utf8', timeout: 120_000 });

interface Dissection {
  kind: string;
  method: string;
  scores: { concept: string; score: number; layer: string }[];
  meta: { layer: string; concepts: string[]; iou: number[][]; thresholds: number[]; detectors: number };
}

test('lumen dissect --json: one score per unit of the default layer, its best concept by IoU; stripe detectors above 0.04 on the concept-shapes CNN', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-dissect-'));
  const html = path.join(dir, 'd.html');
  const r = cli(['dissect', '--model', 'bundled:concepts', '--count', '150', '--json', '--out', html]);
  assert.equal(r.status, 0, r.stderr);
  const e = JSON.parse(r.stdout) as Dissection;
  assert.equal(e.kind, 'concepts');
  assert.equal(e.meta.layer, 'relu3');
  assert.equal(e.scores.length, 32);
  e.scores.forEach((s, u) => {
    assert.equal(s.layer, `relu3:${u}`);
    const row = e.meta.iou[u];
    assert.equal(s.score, Math.max(...row));
    assert.equal(s.concept, e.meta.concepts[row.indexOf(s.score)]);
  });
  assert.ok(e.scores.some((s) => s.concept === 'stripes' && s.score > 0.04), JSON.stringify(e.scores));
  assert.equal(e.meta.detectors, e.scores.filter((s) => s.score > 0.04).length);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /<svg/);
  assert.match(page, /relu3:\d+/);
});

test('lumen dissect prints the unit table and writes a PNG bar chart of another layer', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-dissect-'));
  const png = path.join(dir, 'd.png');
  const r = cli(['dissect', '--model', 'bundled:concepts', '--layer', 'relu2', '--count', '60', '--out', png]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /unit\s+best concept\s+IoU\s+detector/);
  assert.equal(lines.filter((l) => /^relu2:\d+ /.test(l)).length, 16);
  assert.match(lines[lines.length - 1], /of 16 units are detectors/);
  const img = decodePng(readFileSync(png));
  assert.ok(img.width >= 300 && img.height > 16 * 10);
});

test('lumen dissect refuses bad flags with exit code 2 and one line', () => {
  for (const args of [['--data', 'bundled:mnist'], ['--count', '0'], ['--quantile', '1.5'], ['--out', 'a.gif'], ['--layer', 'nope']]) {
    const r = cli(['dissect', '--model', 'bundled:concepts', ...args]);
    assert.equal(r.status, 2, `${args}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const m = cli(['dissect', '--model', 'bundled:mnist']);
  assert.equal(m.status, 2, m.stderr);
  assert.match(m.stderr, /\[32, 32, 3\]/);
});
