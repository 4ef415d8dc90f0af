import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { prepareJob } from '../../src/cli/job-context.js';
import { useBackend } from '../../src/engine/backend.js';
import { runJob } from '../../src/jobs/run-job.js';
import type { JobSpec } from '../../src/jobs/job-spec.js';
import { repoPath, testNeedingPackage } from '../helpers.js';
import { freePort, hasRedis, TestRedis } from './redis-server.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const env = { ...process.env, LUMEN_BACKEND: 'wasm' };
const root = mkdtempSync(path.join(tmpdir(), 'lumen-queue-'));
let redis: TestRedis | undefined;
const children: ChildProcess[] = [];

before(async () => {
  if (!hasRedis) return;
  redis = new TestRedis(await freePort(), root);
  await redis.start();
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

function lumen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A `lumen worker` process whose stderr lines are kept, with a wait for a line. */
class WorkerProcess {
  readonly lines: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  constructor(url: string, queue: string) {
    this.child = spawn('node', [cli, 'worker', '--redis', url, '--queue', queue, '--lock-ms', '3000'], { stdio: ['ignore', 'ignore', 'pipe'], env });
    children.push(this.child);
    let rest = '';
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }
  async waitFor(re: RegExp, from = 0, ms = 240_000): Promise<RegExpExecArray> {
    const end = Date.now() + ms;
    for (;;) {
      for (let i = from; i < this.lines.length; i++) {
        const m = re.exec(this.lines[i]);
        if (m) return m;
      }
      if (this.child.exitCode !== null || Date.now() > end) throw new Error(`worker ${this.child.pid}: no line ${re} in\n${this.lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

async function until(what: string, ok: () => boolean, ms = 240_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const receipts = (out: string): number => (existsSync(path.join(out, 'shards')) ? readdirSync(path.join(out, 'shards')).filter((n) => n.endsWith('.done.json')).length : 0);
const flags = ['--model', 'bundled:mnist', '--data', 'bundled:mnist', '--method', 'saliency', '--batch-size', '50', '--shard-size', '100', '--seed', '3'];

testNeedingPackage('3 workers on BullMQ, one SIGKILLed mid-shard, one SIGTERMed, Redis restarted: every row once, bit for bit as one process', hasRedis, 'redis-server is not installed (apt-get install redis-server)', async () => {
  const url = redis?.url ?? '';
  assert.match(url, /^redis:\/\/127\.0\.0\.1:\d+$/);
  const out = path.join(root, 'job');
  const submitted = lumen('queue', 'submit', '--redis', url, '--out', out, ...flags, '--attempts', '5', '--backoff-ms', '200');
  assert.equal(submitted.status, 0, submitted.stderr);
  assert.match(submitted.stdout, /20 of 20 shards enqueued on 'lumen' \(2000 rows\)/);
  assert.match(lumen('queue', 'submit', '--redis', url, '--out', out, ...flags).stdout, /20 of 20 shards enqueued/, 'submitting again adds nothing twice (same ids)');

  const [a, b, c] = [0, 1, 2].map(() => new WorkerProcess(url, 'lumen'));
  // SIGKILL a in the middle of a shard (after it started one, before it wrote it).
  const started = await a.waitFor(/shard (\d+) started/);
  a.child.kill('SIGKILL');
  assert.equal((await a.exited).signal, 'SIGKILL');
  assert.ok(!a.lines.some((l) => l.includes(`shard ${started[1]} (`)), `a did not finish shard ${started[1]}`);
  // SIGTERM b mid-shard: it finishes the shard in hand, which is acknowledged, then exits cleanly.
  const mark = b.lines.length;
  const bShard = (await b.waitFor(/shard (\d+) started/, mark))[1];
  b.child.kill('SIGTERM');
  await b.waitFor(new RegExp(`shard ${bShard} \\(\\d+ rows\\) written`), mark);
  assert.deepEqual(await b.exited, { code: 0, signal: null });
  // Redis goes down and comes back (append-only file) while c works.
  assert.ok(receipts(out) < 20, 'the job is still running when Redis restarts');
  await redis?.restart();
  await until('all 20 shards', () => receipts(out) === 20);
  await until('20 completed entries', () => {
    const s = JSON.parse(lumen('queue', 'status', '--redis', url, '--out', out, '--json').stdout) as { counts: { completed: number; failed: number } };
    assert.equal(s.counts.failed, 0);
    return s.counts.completed === 20;
  });
  assert.ok(c.lines.some((l) => new RegExp(`shard ${started[1]} \\(`).test(l)), `c ran shard ${started[1]}, the one a died in`);
  c.child.kill('SIGTERM');
  assert.equal((await c.exited).code, 0);

  const collected = lumen('queue', 'collect', '--out', out);
  assert.equal(collected.status, 0, collected.stderr);
  assert.match(collected.stdout, /2000 rows from 20 shards/);
  const ids = readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: number }).id);
  assert.deepEqual(ids, Array.from({ length: 2000 }, (_, i) => i), 'every row exactly once');

  // The single-process run of the same job, in this process.
  await useBackend('wasm');
  const spec = JSON.parse(readFileSync(path.join(out, 'job.json'), 'utf8')) as JobSpec;
  const single = path.join(root, 'single');
  const ctx = await prepareJob(spec);
  try {
    await runJob(ctx, spec, single);
  } finally {
    ctx.dispose();
  }
  for (const f of ['results.jsonl', 'results.parquet', 'manifest.json']) {
    assert.ok(readFileSync(path.join(out, f)).equals(readFileSync(path.join(single, f))), `${f}: the queue's output equals the single-process one bit for bit`);
  }
});

testNeedingPackage('a shard that fails on every try is reported failed with its error after its attempts', hasRedis, 'redis-server is not installed (apt-get install redis-server)', async () => {
  const url = redis?.url ?? '';
  const out = path.join(root, 'failing');
  const submitted = lumen('queue', 'submit', '--redis', url, '--queue', 'lumen-fail', '--out', out, '--model', 'bundled:mnist', '--data', 'bundled:mnist:20', '--method', 'saliency', '--batch-size', '10', '--shard-size', '10', '--attempts', '2', '--backoff-ms', '100');
  assert.equal(submitted.status, 0, submitted.stderr);
  // The folder now holds another job: every try of both shards fails on the key check.
  const spec = JSON.parse(readFileSync(path.join(out, 'job.json'), 'utf8')) as JobSpec;
  writeFileSync(path.join(out, 'job.json'), JSON.stringify({ ...spec, seed: spec.seed + 1 }));
  const w = new WorkerProcess(url, 'lumen-fail');
  let status: { counts: { failed: number; waiting: number; delayed: number }; failed: { shard: number; attempts: number; error: string }[] } | undefined;
  await until('2 failed shards', () => {
    status = JSON.parse(lumen('queue', 'status', '--redis', url, '--queue', 'lumen-fail', '--json').stdout) as NonNullable<typeof status>;
    return status.counts.failed === 2;
  }, 120_000);
  assert.deepEqual(status?.failed.map((f) => [f.shard, f.attempts]).sort(), [[0, 2], [1, 2]]);
  for (const f of status?.failed ?? []) assert.match(f.error, /holds job [0-9a-f]{16}; the queue entry is for job [0-9a-f]{16}/);
  const text = lumen('queue', 'status', '--redis', url, '--queue', 'lumen-fail');
  assert.match(text.stdout, /2 failed/);
  assert.match(text.stdout, /holds job/);
  assert.equal(receipts(out), 0);
  w.child.kill('SIGTERM');
  assert.equal((await w.exited).code, 0);
});

testNeedingPackage('lumen evaluate --redis: a lumen worker runs the evaluation shards; --resume merges them into the local run\'s scores', hasRedis, 'redis-server is not installed (apt-get install redis-server)', async () => {
  const url = (redis as TestRedis).url;
  const evalFlags = ['evaluate', '--model', 'bundled:penguins', '--data', 'bundled:penguins:12', '--methods', 'saliency,input-x-gradient', '--metrics', 'sparseness,infidelity', '--shard-size', '4', '--json'];
  const local = lumen(...evalFlags, '--out', path.join(root, 'eval-local'));
  assert.equal(local.status, 0, local.stderr);
  const out = path.join(root, 'eval-queue');
  const submitted = lumen(...evalFlags, '--redis', url, '--queue', 'lumen-eval', '--out', out);
  assert.equal(submitted.status, 0, submitted.stderr);
  assert.match(submitted.stdout, /3 of 3 shards enqueued on 'lumen-eval'/);
  const w = new WorkerProcess(url, 'lumen-eval');
  await until('3 evaluation receipts', () => receipts(out) === 3, 120_000);
  w.child.kill('SIGTERM');
  assert.equal((await w.exited).code, 0);
  const merged = lumen(...evalFlags, '--resume', '--out', out);
  assert.equal(merged.status, 0, merged.stderr);
  type Scores = { metrics: { id: string; results: { method: string; scores: (number | null)[] }[] }[] };
  const a = JSON.parse(local.stdout) as Scores;
  const b = JSON.parse(merged.stdout) as Scores;
  // Same shards, same per-shard seeds: the worker's scores equal the local run's, the random metric included.
  assert.deepEqual(b.metrics.map((m) => m.results.map((r) => r.scores)), a.metrics.map((m) => m.results.map((r) => r.scores)));
  assert.equal(b.metrics[0].results[0].scores.length, 12);
});
