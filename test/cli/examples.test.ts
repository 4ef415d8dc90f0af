import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GLYPH_HEIGHT } from '../../src/render/font.js';
import { decodePng } from '../../src/render/png.js';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const run = (args: string[]): string => execFileSync('node', [cli, 'examples', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('lumen examples: neighbours of a digit as JSON (the digit itself first when it is in the data), tracin as a table, a bad method refused', () => {
  const json = JSON.parse(run(['--model', 'bundled:mnist', '--data', 'bundled:mnist:100', '--input', repoPath('examples', 'digit-7.png'), '--method', 'neighbours', '--k', '3', '--json'])) as {
    kind: string;
    examples: { index: number; score: number; role: string; query: number }[];
  };
  assert.equal(json.kind, 'examples');
  assert.equal(json.examples.length, 3);
  assert.ok(json.examples.every((e) => e.role === 'neighbour' && e.query === 0));
  assert.ok(json.examples[0].score >= json.examples[1].score && json.examples[1].score >= json.examples[2].score);
  const table = run(['--model', 'bundled:penguins', '--data', 'bundled:penguins', '--input', repoPath('examples', 'penguins.csv'), '--method', 'tracin', '--k', '2']);
  assert.match(table, /proponent/);
  assert.match(table, /opponent/);
  assert.throws(() => run(['--model', 'bundled:penguins', '--data', 'bundled:penguins', '--input', repoPath('examples', 'penguins.csv'), '--method', 'nope']), /--method must be one of neighbours, influence, arnoldi, tracin, tracin-fast, prototypes, protodash, representer; found 'nope'/);
});

test('lumen examples --out: JSON fields, a PNG gallery with one tile per query and example, a self-contained HTML table; bad input exits 2 with one line', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-examples-'));
  const lumen = (args: string[]) => spawnSync('node', [cli, 'examples', ...args], { encoding: 'utf8' });
  const digits = ['--model', 'bundled:mnist', '--data', 'bundled:mnist:60', '--input', repoPath('examples', 'digit-7.png'), '--k', '3'];
  const json = path.join(dir, 'nn.json');
  const r1 = lumen([...digits, '--out', json]);
  assert.equal(r1.status, 0, r1.stderr);
  const e = JSON.parse(readFileSync(json, 'utf8')) as { kind: string; method: string; examples: { index: number; score: number; role: string; query: number }[]; meta: { metric: string; layer: string } };
  assert.equal(e.kind, 'examples');
  assert.equal(e.method, 'nearest-neighbours');
  assert.equal(e.meta.metric, 'cosine');
  assert.equal(typeof e.meta.layer, 'string');
  assert.equal(e.examples.length, 3);
  assert.ok(e.examples.every((x) => Number.isInteger(x.index) && x.index >= 0 && x.index < 60 && x.query === 0 && x.score <= 1 + 1e-6));
  // The table printed to stdout names the same rows.
  for (const x of e.examples) assert.match(r1.stdout, new RegExp(`\\b${x.index}\\b`));

  const png = path.join(dir, 'nn.png');
  const r2 = lumen([...digits, '--out', png]);
  assert.equal(r2.status, 0, r2.stderr);
  const picture = decodePng(readFileSync(png));
  // One line: the query and its 3 neighbours, 28 px digits at scale 3, padding 6, a label strip under each.
  assert.equal(picture.width, 4 * 84 + 5 * 6);
  assert.equal(picture.height, 84 + GLYPH_HEIGHT + 4 + 2 * 6);

  const tracinPng = path.join(dir, 'tracin.png');
  const r3 = lumen([...digits, '--method', 'tracin-fast', '--k', '2', '--out', tracinPng]);
  assert.equal(r3.status, 0, r3.stderr);
  const t = decodePng(readFileSync(tracinPng));
  // Two lines (proponents, opponents), each the query and 2 examples.
  assert.equal(t.width, 3 * 84 + 4 * 6);
  assert.equal(t.height, 2 * (84 + GLYPH_HEIGHT + 4) + 3 * 6);

  const html = path.join(dir, 'penguins.html');
  const r4 = lumen(['--model', 'bundled:penguins', '--data', 'bundled:penguins', '--input', repoPath('examples', 'penguins.csv'), '--method', 'tracin', '--k', '2', '--out', html]);
  assert.equal(r4.status, 0, r4.stderr);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /<table/);
  assert.match(page, /proponent/);
  assert.match(page, /opponent/);
  assert.doesNotMatch(page, /(src|href)="(https?:)?\/\//, 'self-contained: no external resources');
  assert.doesNotMatch(page, /<script[^>]+src=/);

  const before = readdirSync(dir).sort();
  const bad = (args: string[], message: RegExp): void => {
    const r = lumen(args);
    assert.equal(r.status, 2, `exit 2; stderr: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  };
  bad([...digits, '--out', path.join(dir, 'x.txt')], /--out: expected a \.json, \.png or \.html file; found/);
  bad(['--model', 'bundled:penguins', '--data', 'bundled:penguins', '--input', repoPath('examples', 'penguins.csv'), '--out', path.join(dir, 'x.png')], /--out \.png draws image galleries/);
  bad([...digits, '--k', '0'], /--k/);
  bad(['--model', 'bundled:mnist', '--data', 'bundled:cifar', '--input', repoPath('examples', 'digit-7.png')], /--data bundled:cifar: expected bundled:mnist\[:N\] or bundled:penguins\[:N\]/);
  assert.deepEqual(readdirSync(dir).sort(), before, 'nothing written by refused runs');
});
