import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const job = ['explain', '--model', 'bundled:mnist', '--data', 'bundled:mnist:320', '--method', 'saliency', '--batch-size', '32', '--shard-size', '64', '--seed', '3'];
const receipts = (out: string): number => (existsSync(path.join(out, 'shards')) ? readdirSync(path.join(out, 'shards')).filter((n) => n.endsWith('.done.json')).length : 0);

test('a job SIGKILLed mid-run and resumed has every row exactly once, bit for bit as an uninterrupted run', async () => {
  const whole = mkdtempSync(path.join(tmpdir(), 'lumen-jobs-whole-'));
  const killed = mkdtempSync(path.join(tmpdir(), 'lumen-jobs-killed-'));
  try {
    const child = spawn('node', [cli, ...job, '--out', killed], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let finishedAtKill = -1;
    while (child.exitCode === null) {
      const n = receipts(killed);
      if (n >= 2) {
        finishedAtKill = n;
        child.kill('SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(await exited, 'SIGKILL');
    assert.ok(finishedAtKill >= 2 && finishedAtKill < 5, `killed with ${finishedAtKill} of 5 shards written`);
    assert.equal(existsSync(path.join(killed, 'results.jsonl')), false, 'not merged: the job did not finish');
    const manifest = JSON.parse(readFileSync(path.join(killed, 'manifest.json'), 'utf8')) as { finished: { shard: number }[] };
    assert.ok(manifest.finished.length >= 1 && manifest.finished.length <= finishedAtKill, 'the manifest lists only finished shards');

    const refused = spawnSync('node', [cli, ...job, '--out', killed], { encoding: 'utf8' });
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /already finished; pass --resume/);
    const resumed = spawnSync('node', [cli, ...job, '--out', killed, '--resume'], { encoding: 'utf8' });
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`${finishedAtKill} shards already finished`));
    const uninterrupted = spawnSync('node', [cli, ...job, '--out', whole], { encoding: 'utf8' });
    assert.equal(uninterrupted.status, 0, uninterrupted.stderr);

    const ids = readFileSync(path.join(killed, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: number }).id);
    assert.deepEqual(ids, Array.from({ length: 320 }, (_, i) => i), 'every row once, in order');
    for (const f of ['results.jsonl', 'results.parquet', 'manifest.json']) {
      assert.ok(readFileSync(path.join(killed, f)).equals(readFileSync(path.join(whole, f))), `${f} bit for bit`);
    }
    assert.deepEqual(readdirSync(path.join(killed, 'shards')).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');
  } finally {
    rmSync(whole, { recursive: true, force: true });
    rmSync(killed, { recursive: true, force: true });
  }
});

test('lumen explain --data refuses one-input flags and a missing --out', () => {
  const r = spawnSync('node', [cli, 'explain', '--model', 'bundled:mnist', '--data', 'bundled:mnist:8', '--method', 'saliency'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--out: --data writes its results by shard to a folder/);
  const s = spawnSync('node', [cli, 'explain', '--model', 'bundled:mnist', '--data', 'bundled:mnist:8', '--method', 'saliency', '--score', '--out', 'x'], { encoding: 'utf8' });
  assert.equal(s.status, 2);
  assert.match(s.stderr, /--score: not with --data/);
  const t = spawnSync('node', [cli, 'explain', '--model', 'bundled:mnist', '--input', 'x.png', '--method', 'saliency', '--resume'], { encoding: 'utf8' });
  assert.equal(t.status, 2);
  assert.match(t.stderr, /dataset jobs only/);
});
