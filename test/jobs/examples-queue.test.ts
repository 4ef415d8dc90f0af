import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath, testNeedingPackage } from '../helpers.js';
import { freePort, hasRedis, TestRedis } from './redis-server.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const env = { ...process.env, LUMEN_BACKEND: 'wasm' };
const root = mkdtempSync(path.join(tmpdir(), 'lumen-exqueue-'));
let redis: TestRedis | undefined;
let worker: ChildProcess | undefined;

before(async () => {
  if (!hasRedis) return;
  redis = new TestRedis(await freePort(), root);
  await redis.start();
});

after(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

function lumen(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const receipts = (out: string): number => (existsSync(path.join(out, 'shards')) ? readdirSync(path.join(out, 'shards')).filter((n) => n.endsWith('.done.json')).length : 0);

testNeedingPackage('lumen examples --queries --redis: a lumen worker runs the influence shards (its own Hessian, once); queue collect gives the local run\'s bytes', hasRedis, 'redis-server is not installed (apt-get install redis-server)', async () => {
  const url = (redis as TestRedis).url;
  const flags = ['examples', '--model', 'bundled:penguins', '--data', 'bundled:penguins', '--queries', 'bundled:penguins:12', '--method', 'influence', '--k', '3', '--batch-size', '4', '--shard-size', '4', '--self-influence'];
  const local = lumen(...flags, '--out', path.join(root, 'local'));
  assert.equal(local.status, 0, local.stderr);
  const out = path.join(root, 'queue');
  const submitted = lumen(...flags, '--redis', url, '--queue', 'lumen-examples', '--out', out);
  assert.equal(submitted.status, 0, submitted.stderr);
  assert.match(submitted.stdout, /3 of 3 shards enqueued on 'lumen-examples' \(12 queries\)/);
  const lines: string[] = [];
  worker = spawn('node', [cli, 'worker', '--redis', url, '--queue', 'lumen-examples', '--lock-ms', '3000'], { stdio: ['ignore', 'ignore', 'pipe'], env });
  worker.stderr?.setEncoding('utf8').on('data', (c: string) => lines.push(...c.split('\n')));
  const exited = new Promise<number | null>((resolve) => worker?.once('exit', (code) => resolve(code)));
  const end = Date.now() + 120_000;
  while (receipts(out) < 3) {
    assert.ok(Date.now() < end, `timed out; worker said:\n${lines.join('\n')}`);
    assert.equal(worker.exitCode, null, `the worker exited:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  worker.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.equal(lines.filter((l) => /shard \d+ \(4 rows\) written/.test(l)).length, 3, lines.join('\n'));
  const collected = lumen('queue', 'collect', '--out', out);
  assert.equal(collected.status, 0, collected.stderr);
  assert.match(collected.stdout, /12 rows from 3 shards/);
  for (const f of ['results.jsonl', 'results.parquet']) {
    assert.ok(readFileSync(path.join(out, f)).equals(readFileSync(path.join(root, 'local', f))), `${f}: the worker's output equals the local run's bit for bit`);
  }
});
