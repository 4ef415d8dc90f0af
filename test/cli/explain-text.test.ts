import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');

function lumen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('lumen explain on the bundled text model: the text itself as --input, IG on the embedding by default, words with their scores', () => {
  const r = lumen('explain', '--model', 'bundled:spam', '--method', 'integrated-gradients', '--input', 'You have won a free prize, claim your money now', '--json');
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { shape: number[]; tokens: string[][]; meta: { layer: string }; targetNames: string[] };
  assert.deepEqual(json.shape, [1, 120, 16]);
  assert.equal(json.meta.layer, 'embedding');
  assert.deepEqual(json.tokens[0].slice(0, 4), ['you', 'have', 'won', 'a']);
  assert.deepEqual(json.targetNames, ['spam']);
  const text = lumen('explain', '--model', 'bundled:spam', '--method', 'saliency', '--input', 'You have won a free prize');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /example 0: you\[[+-][0-9.e-]+\] have\[/);
  assert.match(text.stdout, /top words: /);
  assert.doesNotMatch(text.stdout, /\u001b\[/, 'no ANSI colours when NO_COLOR is set');
});

test('lumen explain reads .jsonl texts (one per line) and refuses a malformed line with exit 2', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-text-'));
  try {
    const good = path.join(dir, 'emails.jsonl');
    writeFileSync(good, `${JSON.stringify({ text: 'meeting moved to tuesday' })}\n${JSON.stringify('cheap pills online order now')}\n`);
    const r = lumen('explain', '--model', 'bundled:spam', '--method', 'occlusion', '--input', good, '--json');
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { shape: number[]; tokens: string[][] };
    assert.deepEqual(json.shape, [2, 120]);
    assert.equal(json.tokens[1][0], 'cheap');
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text": 3}\n');
    const b = lumen('explain', '--model', 'bundled:spam', '--method', 'occlusion', '--input', bad);
    assert.equal(b.status, 2);
    assert.match(b.stderr, /line 1: expected a JSON string or an object with a string "text"/);
    const empty = lumen('explain', '--model', 'bundled:spam', '--method', 'occlusion', '--input', '!!!');
    assert.equal(empty.status, 2);
    assert.match(empty.stderr, /no words/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lumen explain --out writes token highlights for a text model as SVG, HTML and PNG', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-text-out-'));
  try {
    const text = 'You have won a free prize <claim> now';
    for (const ext of ['svg', 'html', 'png']) {
      const out = path.join(dir, `tokens.${ext}`);
      const r = lumen('explain', '--model', 'bundled:spam', '--method', 'input-x-gradient', '--input', text, '--out', out);
      assert.equal(r.status, 0, r.stderr);
      const bytes = readFileSync(out);
      if (ext === 'png') {
        assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]);
        continue;
      }
      const s = bytes.toString('utf8');
      const words = ['you', 'have', 'won', 'a', 'free', 'prize', 'claim', 'now'];
      if (ext === 'svg') assert.equal((s.match(/<rect class="token"/g) ?? []).length, words.length);
      else assert.equal((s.match(/<span class="token"/g) ?? []).length, words.length);
      for (const w of words) assert.match(s, new RegExp(`(title="|<title>)${w}: [+-]?[0-9]`), w);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lumen explain on bundled:spam-transformer: IG on its ONNX embedding by default, attention rollout', () => {
  const r = lumen('explain', '--model', 'bundled:spam-transformer', '--method', 'integrated-gradients', '--opt', 'steps=8', '--input', 'You have won a free prize, claim your money now', '--json');
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { shape: number[]; meta: { layer: string }; targetNames: string[] };
  assert.deepEqual(json.shape, [1, 120, 32]);
  assert.equal(json.meta.layer, '/tok_emb/Gather');
  assert.deepEqual(json.targetNames, ['spam']);
  const rollout = lumen('explain', '--model', 'bundled:spam-transformer', '--method', 'attention-rollout', '--input', 'meeting moved to tuesday');
  assert.equal(rollout.status, 0, rollout.stderr);
  assert.match(rollout.stdout, /example 0: meeting\[/);
});
