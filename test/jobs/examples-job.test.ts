import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { prepareExamplesJob } from '../../src/cli/examples-job.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { runExamplesJob, type ExamplesJobSpec } from '../../src/jobs/examples-job.js';
import { readParquetTable } from '../../src/jobs/shard-parquet.js';
import { repoPath } from '../helpers.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const base = ['examples', '--model', 'bundled:penguins', '--data', 'bundled:penguins', '--queries', 'bundled:penguins:12', '--method', 'influence', '--k', '3', '--batch-size', '4', '--self-influence'];

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('node', [cli, ...args], { encoding: 'utf8' });
}

interface Row { id: number; label: number; target: number; prediction: number; proponents: { index: number; score: number }[]; opponents: { index: number; score: number }[]; selfInfluence: number | null }

const rows = (dir: string): Row[] => readFileSync(path.join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
const parquetRows = (dir: string): unknown => readParquetTable(new Uint8Array(readFileSync(path.join(dir, 'results.parquet')))).toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)));

test('lumen examples --queries as a sharded job: 3 shards equal the one-shard run byte for byte; slices, resume after a lost receipt, tampering and another job', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-exjob-'));
  try {
    const whole = run([...base, '--shard-size', '12', '--out', path.join(dir, 'whole')]);
    assert.equal(whole.status, 0, whole.stderr);
    assert.match(whole.stdout, /12 rows from 1 shards/);
    const sharded = run([...base, '--shard-size', '4', '--out', path.join(dir, 'a')]);
    assert.equal(sharded.status, 0, sharded.stderr);
    assert.match(sharded.stdout, /12 rows from 3 shards/);
    const a = path.join(dir, 'a');
    assert.ok(readFileSync(path.join(a, 'results.jsonl')).equals(readFileSync(path.join(dir, 'whole', 'results.jsonl'))), 'sharded JSONL equals the unsharded run byte for byte');
    assert.deepEqual(parquetRows(a), parquetRows(path.join(dir, 'whole')), 'and the Parquet rows');
    const r = rows(a);
    assert.deepEqual(r.map((x) => x.id), Array.from({ length: 12 }, (_, i) => i));
    for (const x of r) {
      assert.equal(x.proponents.length, 3);
      assert.equal(x.opponents.length, 3);
      assert.equal(x.target, x.label, 'the queries have labels: the loss uses them');
      for (let i = 1; i < 3; i++) assert.ok(x.proponents[i - 1].score >= x.proponents[i].score && x.opponents[i - 1].score <= x.opponents[i].score, 'best first');
      // The queries are the training set's first rows: a row's self-influence is its score against itself, ≥ 0 (H⁻¹ ≻ 0 on the kept eigenspace).
      assert.ok((x.selfInfluence ?? -1) >= 0);
      const self = x.proponents.find((p) => p.index === x.id);
      if (self) assert.ok(Math.abs(self.score - (x.selfInfluence as number)) <= 1e-6 * Math.abs(self.score), `query ${x.id}: self-influence equals its own score`);
    }
    const table = readParquetTable(new Uint8Array(readFileSync(path.join(a, 'results.parquet'))));
    assert.deepEqual(table.schema.fields.map((f) => f.name), ['id', 'label', 'target', 'prediction', 'proponents', 'proponentScores', 'opponents', 'opponentScores', 'selfInfluence']);
    assert.equal(table.schema.metadata.get('lumen.method'), 'influence-function');

    // In this process: slices in turn, then a resume after a receipt was lost (a kill before the commit point).
    await useBackend();
    const spec = JSON.parse(readFileSync(path.join(a, 'job.json'), 'utf8')) as ExamplesJobSpec;
    const ctx = await prepareExamplesJob(spec);
    try {
      const b = path.join(dir, 'b');
      const first = await runExamplesJob(ctx, spec, b, { slice: { k: 1, n: 2 } });
      assert.deepEqual(first.ran.map((x) => x.shard), [0, 2]);
      assert.equal(first.collected, undefined);
      await assert.rejects(runExamplesJob(ctx, spec, b, { slice: { k: 1, n: 2 } }), (e: unknown) => e instanceof LumenError && /already finished; pass --resume/.test(e.message));
      const second = await runExamplesJob(ctx, spec, b, { slice: { k: 2, n: 2 } });
      assert.deepEqual(second.ran.map((x) => x.shard), [1]);
      assert.ok(readFileSync(path.join(b, 'results.jsonl')).equals(readFileSync(path.join(a, 'results.jsonl'))), 'two slices give the same bytes');
      unlinkSync(path.join(b, 'shards', 'shard-00001.done.json'));
      writeFileSync(path.join(b, 'shards', 'shard-00001.jsonl.tmp'), 'half a file');
      const resumed = await runExamplesJob(ctx, spec, b, { resume: true });
      assert.deepEqual(resumed.ran.map((x) => x.shard), [1], 'only the shard without a receipt runs again');
      assert.equal(resumed.skipped, 2);
      assert.ok(!existsSync(path.join(b, 'shards', 'shard-00001.jsonl.tmp')), 'the stale temporary is removed');
      assert.ok(readFileSync(path.join(b, 'results.jsonl')).equals(readFileSync(path.join(a, 'results.jsonl'))), 'every row once, the same bytes');
      const again = await runExamplesJob(ctx, spec, b, { resume: true });
      assert.equal(again.ran.length, 0);
      const shard = path.join(b, 'shards', 'shard-00002.jsonl');
      writeFileSync(shard, readFileSync(shard, 'utf8').replace('"id":8', '"id":9'));
      await assert.rejects(runExamplesJob(ctx, spec, b, { resume: true }), /sha-256 differs from the shard's receipt/);
      await assert.rejects(runExamplesJob(ctx, { ...spec, k: 2 }, b, { resume: true }), /holds another job/);
      await assert.rejects(runExamplesJob(ctx, { ...spec, size: 11 }, path.join(dir, 'c')), /made for 11 query rows; the dataset has 12/);
    } finally {
      ctx.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lumen examples --queries: neighbours with L2 (nearest first) and TracIn jobs; refusals', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-exjob-'));
  try {
    const nn = run(['examples', '--model', 'bundled:penguins', '--data', 'bundled:penguins', '--queries', 'bundled:penguins:6', '--method', 'neighbours', '--metric', 'l2', '--layer', 'input', '--k', '2', '--batch-size', '3', '--shard-size', '3', '--out', path.join(dir, 'nn')]);
    assert.equal(nn.status, 0, nn.stderr);
    const lines = readFileSync(path.join(dir, 'nn', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: number; neighbours: { index: number; score: number }[]; selfInfluence: null });
    // The queries are the first training rows: each one's nearest row is itself, at distance 0.
    for (const l of lines) {
      assert.equal(l.neighbours[0].index, l.id);
      assert.ok(Math.abs(l.neighbours[0].score) < 1e-3);
      assert.ok(l.neighbours[1].score >= l.neighbours[0].score);
      assert.equal(l.selfInfluence, null);
    }
    const tracin = run(['examples', '--model', 'bundled:penguins', '--data', 'bundled:penguins', '--queries', 'bundled:penguins:4', '--method', 'tracin', '--k', '2', '--batch-size', '2', '--shard-size', '2', '--self-influence', '--target', 'predicted', '--out', path.join(dir, 'tracin')]);
    assert.equal(tracin.status, 0, tracin.stderr);
    const t = readFileSync(path.join(dir, 'tracin', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { target: number; prediction: number; selfInfluence: number });
    for (const x of t) {
      assert.equal(x.target, x.prediction);
      assert.ok(x.selfInfluence > 0, 'TracIn self-influence is a squared norm');
    }

    const refuse = (args: string[], re: RegExp): void => {
      const r = run(['examples', '--model', 'bundled:penguins', '--data', 'bundled:penguins', ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    };
    const q = ['--queries', 'bundled:penguins:4', '--out', path.join(dir, 'refused')];
    refuse([...q, '--method', 'prototypes'], /a job runs --method neighbours, influence, arnoldi, tracin or tracin-fast/);
    refuse([...q, '--method', 'neighbours', '--self-influence'], /nearest neighbours have no self-influence/);
    refuse([...q, '--index', 'hnsw'], /an examples job searches exactly/);
    refuse([...q, '--method', 'influence', '--opt', 'k=3'], /use --k/);
    refuse([...q, '--method', 'influence', '--opt', 'solver=newton'], /expects one of exact, cg, lissa/);
    refuse([...q, '--method', 'influence', '--batch-size', '4', '--shard-size', '6'], /must be a multiple of the batch size/);
    refuse([...q, '--input', 'x.json'], /give one/);
    refuse(['--queries', 'bundled:penguins:4', '--out', path.join(dir, 'x.json')], /the job's folder/);
    refuse(['--queries', 'bundled:penguins:4'], /--out: an examples job/);
    refuse([...q, '--method', 'influence', '--checkpoints', 'ck.json'], /only tracin and tracin-fast take checkpoints/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
