/**
 * `lumen generate-explain` on the bundled decoder: greedy continuation of the reference prompt (the
 * one PyTorch generated in models/spam-decoder/meta.json), the feature-ablation matrix as PyTorch
 * computed it, sentence segments, a given continuation, figures, and exit 2 for bad flags.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const meta = JSON.parse(readFileSync(repoPath('models', 'spam-decoder', 'meta.json'), 'utf8')) as {
  reference: { prompts: string[]; generation: { words: string[] }[]; featureAblation: number[][][] };
};

function lumen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Json { method: string; generatedWords: string[]; promptWords: string[]; segments: number[]; tokenAttribution: number[][]; sequenceAttribution: number[] }

test('lumen generate-explain: greedy continuation and feature ablation as PyTorch computed them; a table and highlights in the terminal', () => {
  const ref = meta.reference;
  const r = lumen('generate-explain', '--model', 'bundled:spam-decoder', '--input', ref.prompts[0]!, '--tokens', String(ref.generation[0]!.words.length), '--json');
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as Json;
  assert.deepEqual(json.generatedWords, ref.generation[0]!.words);
  json.tokenAttribution.forEach((row, k) => row.forEach((v, j) => assert.ok(Math.abs(v - ref.featureAblation[0]![k]![j]!) < 1e-4, `[${k}][${j}] ${v} vs ${ref.featureAblation[0]![k]![j]}`)));
  const text = lumen('generate-explain', '--model', 'bundled:spam-decoder', '--input', ref.prompts[0]!, '--tokens', '2');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`feature-ablation: "${ref.prompts[0]}" → "${ref.generation[0]!.words.slice(0, 2).join(' ')}"`));
  assert.match(text.stdout, /continuation "[^"]+" \(log p -[0-9.]+\): click\[[+-][0-9.e-]+\]/);
  assert.match(text.stdout, /segment +sequence +1:/);
});

test('lumen generate-explain: sentence segments with exact Shapley values over a given continuation, written as HTML and JSON', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-gen-'));
  try {
    const html = path.join(dir, 'g.html');
    const r = lumen('generate-explain', '--model', 'bundled:spam-decoder', '--input', 'Dear friend. Click here to receive your free money!', '--segments', 'sentences',
      '--method', 'shapley-values', '--continuation', 'now', '--out', html, '--json');
    assert.equal(r.status, 0, r.stderr);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /→ now \(log p/);
    const json = JSON.parse(r.stdout) as Json;
    assert.deepEqual(json.segments, [0, 0, 1, 1, 1, 1, 1, 1, 1]);
    assert.equal(json.sequenceAttribution.length, 2);
    assert.deepEqual(json.generatedWords, ['now']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lumen generate-explain: bad flags and a classifier are refused with exit 2 and one line', () => {
  for (const [args, pattern] of [
    [['--method', 'lime'], /--method: expected one of feature-ablation/],
    [['--segments', 'letters'], /--segments: expected words or sentences/],
    [['--tokens', '0'], /--tokens: expected a positive integer/],
  ] as [string[], RegExp][]) {
    const r = lumen('generate-explain', '--model', 'bundled:spam-decoder', '--input', 'click here', ...args);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, pattern);
  }
  const c = lumen('generate-explain', '--model', 'bundled:spam', '--input', 'click here');
  assert.equal(c.status, 2);
  assert.match(c.stderr, /expected next-token scores of shape \[T, V\]/);
});
