import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodePng } from '../../src/render/png.js';
import { repoPath } from '../helpers.js';

const cli = (args: string[]) => spawnSync(process.execPath, [repoPath('dist', 'src', 'cli', 'main.js'), ...args], { encoding: 'utf8', timeout: 120_000 });

test('lumen visualize --layer writes a grid PNG of every channel and --json an images explanation', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-visualize-'));
  const png = path.join(dir, 'relu1.png');
  const r = cli(['visualize', '--model', 'bundled:mnist', '--layer', 'relu1', '--steps', '8', '--out', png, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const e = JSON.parse(r.stdout) as { kind: string; images: { label: string }[] };
  assert.equal(e.kind, 'images');
  assert.deepEqual(e.images.map((i) => i.label), Array.from({ length: 8 }, (_, c) => `relu1:${c}`));
  const img = decodePng(readFileSync(png));
  assert.ok(img.width > 3 * 64 && img.height > 3 * 64);
});

test('lumen visualize refuses bad flags with exit code 2 and one line', () => {
  for (const args of [['--layer', 'relu1', '--class', '2'], ['--class', 'x'], ['--filters', '--param', 'dct'], ['--filters', '--out', 'a.gif']]) {
    const r = cli(['visualize', '--model', 'bundled:mnist', ...args]);
    assert.equal(r.status, 2, `${args}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
