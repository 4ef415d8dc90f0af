import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const base = ['evaluate', '--model', 'bundled:penguins', '--data', 'bundled:penguins:12', '--methods', 'saliency,input-x-gradient', '--metrics', 'sparseness,deletion,infidelity', '--json'];

interface Result { examples: number; metrics: { id: string; results: { method: string; aggregate: number; scores: (number | null)[]; rank: number }[] }[]; verdicts: Record<string, string> }

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('node', [cli, ...args], { encoding: 'utf8' });
}

function parse(stdout: string): Result {
  return JSON.parse(stdout) as Result;
}

test('lumen evaluate as a sharded job: deterministic metrics equal the unsharded run score for score; slices, resume and refusals', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-evaljob-'));
  try {
    const whole = run(base);
    assert.equal(whole.status, 0, whole.stderr);
    const sharded = run([...base, '--shard-size', '4', '--out', path.join(dir, 'a')]);
    assert.equal(sharded.status, 0, sharded.stderr);
    const w = parse(whole.stdout);
    const s = parse(sharded.stdout);
    assert.equal(s.examples, 12);
    for (const id of ['sparseness', 'deletion']) {
      const a = w.metrics.find((m) => m.id === id)!;
      const b = s.metrics.find((m) => m.id === id)!;
      for (const [i, r] of a.results.entries()) {
        assert.deepEqual(b.results[i].scores, r.scores, `${id} ${r.method}: per-example scores`);
        assert.equal(b.results[i].aggregate, r.aggregate);
        assert.equal(b.results[i].rank, r.rank);
      }
    }
    // Files: 3 shards with receipts, the merged evaluation and report.
    const manifest = JSON.parse(readFileSync(path.join(dir, 'a', 'manifest.json'), 'utf8')) as { shards: number; finished: unknown[] };
    assert.equal(manifest.shards, 3);
    assert.equal(manifest.finished.length, 3);
    assert.deepEqual(parse(readFileSync(path.join(dir, 'a', 'evaluation.json'), 'utf8')).metrics, s.metrics);
    assert.match(readFileSync(path.join(dir, 'a', 'index.html'), 'utf8'), /Ranking/);

    // Two slices in turn give the same scores as one run, the random metric (infidelity) included:
    // each shard draws from its own seed, whichever run computes it.
    const b = path.join(dir, 'b');
    const first = run([...base, '--shard-size', '4', '--shard', '1/2', '--out', b]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /not finished/);
    const again = run([...base, '--shard-size', '4', '--shard', '1/2', '--out', b]);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already finished; pass --resume/);
    const second = run([...base, '--shard-size', '4', '--shard', '2/2', '--out', b]);
    assert.equal(second.status, 0, second.stderr);
    const merged = parse(second.stdout);
    for (const [i, m] of s.metrics.entries()) for (const [j, r] of m.results.entries()) assert.deepEqual(merged.metrics[i].results[j].scores, r.scores, `${m.id} ${r.method}`);
    const resumed = run([...base, '--shard-size', '4', '--resume', '--out', b]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.deepEqual(parse(resumed.stdout).metrics.map((m) => m.results.map((r) => r.scores)), s.metrics.map((m) => m.results.map((r) => r.scores)));

    // A changed shard file is caught by its receipt; another job's folder is refused.
    const shard = path.join(b, 'shards', 'shard-00001.jsonl');
    writeFileSync(shard, readFileSync(shard, 'utf8').replace('"id":4', '"id":5'));
    const tampered = run([...base, '--shard-size', '4', '--resume', '--out', b]);
    assert.equal(tampered.status, 2);
    assert.match(tampered.stderr, /sha-256 differs from the shard's receipt/);
    const other = run([...base.slice(0, 6), 'saliency', ...base.slice(7), '--shard-size', '4', '--resume', '--out', b]);
    assert.equal(other.status, 2);
    assert.match(other.stderr, /holds another job/);

    // Metrics that retrain on the whole set cannot be sharded; a job needs --out.
    const roar = run([...base.slice(0, 8), 'roar', '--shard-size', '4', '--out', path.join(dir, 'c')]);
    assert.equal(roar.status, 2);
    assert.match(roar.stderr, /roar: retrains a model on the whole set/);
    const noOut = run([...base, '--shard-size', '4']);
    assert.equal(noOut.status, 2);
    assert.match(noOut.stderr, /--out: an evaluation job/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
