import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');

function lumen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'lumen-eval-'));

type Card = Record<'deletion' | 'infidelity' | 'maxSensitivity', { direction: string; aggregate: number; scores: number[] }>;

test('lumen explain --score adds deletion AUC, infidelity and max-sensitivity to the JSON output and prints them', () => {
  const digits = repoPath('examples', 'digits.npy');
  const r = lumen('explain', '--model', 'bundled:mnist', '--input', digits, '--method', 'saliency', '--score', '--json');
  assert.equal(r.status, 0, r.stderr);
  const card = (JSON.parse(r.stdout) as { score: Card }).score;
  for (const k of ['deletion', 'infidelity', 'maxSensitivity'] as const) {
    assert.equal(card[k].direction, 'lower');
    assert.equal(card[k].scores.length, 3);
    assert.ok(card[k].scores.every(Number.isFinite), k);
  }
  assert.ok(card.deletion.scores.every((v) => v >= 0 && v <= 1), 'deletion AUC of probabilities lies in [0, 1]');
  const out = tmp();
  const png = lumen('explain', '--model', 'bundled:mnist', '--input', digits, '--method', 'saliency', '--score', '--out', path.join(out, 'sal.png'));
  assert.equal(png.status, 0, png.stderr);
  assert.match(png.stdout, /report card[\s\S]*deletion AUC[\s\S]*mean/);
  const side = JSON.parse(readFileSync(path.join(out, 'sal.score.json'), 'utf8')) as Card;
  assert.deepEqual(side.deletion.scores, card.deletion.scores, 'same explanation, same card');
});

test('lumen benchmark --json ranks methods on the ground-truth images; --out writes the report', () => {
  const out = tmp();
  const r = lumen('benchmark', '--n', '6', '--methods', 'saliency,grad-cam', '--json', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const b = JSON.parse(r.stdout) as { accuracy: { images: number; withoutRegion: number }; methods: string[]; metrics: { id: string; results: { rank: number }[] }[] };
  assert.deepEqual(b.methods, ['saliency', 'grad-cam']);
  assert.ok(b.metrics.some((m) => m.id === 'pointing-game') && b.metrics.some((m) => m.id === 'distractor-mass'));
  for (const m of b.metrics) assert.deepEqual(m.results.map((x) => x.rank).sort(), [1, 2]);
  const html = readFileSync(path.join(out, 'index.html'), 'utf8');
  assert.ok(html.includes('<svg') && html.includes('grad-cam') && html.includes('data:image/png'));
  assert.equal(lumen('benchmark', '--n', '0').status, 2);
});

test('lumen evaluate --data bundled:groundtruth:N supplies masks to localisation metrics and the randomizer to model randomisation', () => {
  const r = lumen('evaluate', '--model', 'bundled:groundtruth', '--data', 'bundled:groundtruth:3', '--methods', 'saliency,grad-cam',
    '--metrics', 'pointing-game,relevance-mass-accuracy,model-parameter-randomisation', '--json');
  assert.equal(r.status, 0, r.stderr);
  const e = JSON.parse(r.stdout) as { metrics: { id: string; results: { scores: number[] }[] }[]; verdicts: Record<string, string> };
  assert.deepEqual(e.metrics.map((m) => m.id), ['pointing-game', 'relevance-mass-accuracy', 'model-parameter-randomisation']);
  assert.ok(e.metrics.every((m) => m.results.every((x) => x.scores.length === 3)));
  assert.match(e.verdicts.saliency, /mean rank .* of 2/);
  const bad = lumen('evaluate', '--model', 'bundled:mnist', '--data', 'bundled:mnist:2', '--methods', 'saliency', '--metrics', 'pointing-game');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /needs ground-truth masks/);
});
