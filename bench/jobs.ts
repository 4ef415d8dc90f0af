/**
 * Dataset-job throughput on the bundled MNIST CNN: one process (`lumen explain --data`) against
 * BullMQ workers (`lumen worker`, 1, 2 and 4 processes) on a Redis started here on 127.0.0.1, and
 * the queue's overhead at one worker:
 *
 *   npm run build && node dist/bench/jobs.js [--n 1000] [--workers 1,2,4] [--methods saliency,ig50] [--json]
 *
 * Per method (saliency; ig50 = integrated gradients, 50 steps) and N held-out digits:
 *   single     rows/s of `lumen explain --data bundled:mnist:N` as the command reports it (the
 *              job's own time: model and dataset loaded, backend started, before the clock)
 *   workers W  rows/s from `lumen queue submit` to the last shard receipt, W workers started and
 *              waiting beforehand (each loads its model on its first shard: inside the clock)
 *   overhead   time(workers 1) / time(single) − 1: includes the worker's one-off job preparation
 *              (model and dataset load, paid once per worker and job)
 *   steady     the same ratio in the steady state, which is what a long job sees: rows/s between
 *              the first and the last shard receipt (receipt file times), queue against single
 * Batch 50, shards of 100 rows. Prints JSON (no figures are kept in the repository; take them on an
 * idle machine: the workers share its cores).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const n = Number(arg('n', '1000'));
const workerCounts = arg('workers', '1,2,4').split(',').map(Number);
const methods = arg('methods', 'saliency,ig50').split(',');
const json = process.argv.includes('--json');
const root = mkdtempSync(path.join(os.tmpdir(), 'lumen-bench-jobs-'));
const METHOD_FLAGS: Record<string, string[]> = {
  saliency: ['--method', 'saliency'],
  ig50: ['--method', 'integrated-gradients', '--opt', 'steps=50'],
};
const jobFlags = (method: string): string[] => ['--model', 'bundled:mnist', '--data', `bundled:mnist:${n}`, ...METHOD_FLAGS[method], '--batch-size', '50', '--shard-size', '100'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', root, '--appendonly', 'yes', '--save', ''], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

const receipts = (out: string): number => (existsSync(path.join(out, 'shards')) ? readdirSync(path.join(out, 'shards')).filter((f) => f.endsWith('.done.json')).length : 0);

function single(method: string): { seconds: number; steadySeconds: number } {
  const out = path.join(root, `single-${method}`);
  const r = spawnSync('node', [cli, 'explain', ...jobFlags(method), '--out', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const m = /rows in \d+ shards? \(([\d.]+) s/.exec(r.stdout);
  return { seconds: Number(m?.[1]), steadySeconds: receiptSpan(out) };
}

/** Seconds between the first and the last shard receipt of a finished job folder. */
function receiptSpan(out: string): number {
  const dir = path.join(out, 'shards');
  const times = readdirSync(dir).filter((f) => f.endsWith('.done.json')).map((f) => statSync(path.join(dir, f)).mtimeMs);
  return (Math.max(...times) - Math.min(...times)) / 1000;
}

async function queued(method: string, workers: number, url: string, queue: string): Promise<{ seconds: number; steadyRows: number; steadySeconds: number }> {
  const out = path.join(root, `queue-${method}-${workers}`);
  const procs = Array.from({ length: workers }, () => spawn('node', [cli, 'worker', '--redis', url, '--queue', queue], { stdio: ['ignore', 'ignore', 'pipe'] }));
  await Promise.all(procs.map((p) => new Promise<void>((resolve) => {
    p.stderr?.setEncoding('utf8').on('data', (s: string) => {
      if (s.includes('waiting for shards')) resolve();
    });
  })));
  const start = performance.now();
  const sub = spawnSync('node', [cli, 'queue', 'submit', '--redis', url, '--queue', queue, '--out', out, ...jobFlags(method)], { encoding: 'utf8' });
  if (sub.status !== 0) throw new Error(sub.stderr);
  const shards = Math.ceil(n / 100);
  while (receipts(out) < shards) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - start) / 1000;
  await Promise.all(procs.map((p) => new Promise((resolve) => (p.once('exit', resolve), p.kill('SIGTERM')))));
  // The span from the first receipt to the last: with one worker it holds exactly the later shards'
  // rows; with W workers the other W − 1 first shards were partly done before it (counted out: approximate).
  const steadyRows = n - Math.min(100, n) * Math.min(workers, shards);
  return { seconds, steadyRows, steadySeconds: receiptSpan(out) };
}

const port = await freePort();
const redis = await startRedis(port);
const url = `redis://127.0.0.1:${port}`;
const results: Record<string, unknown>[] = [];
try {
  for (const method of methods) {
    const { seconds: s, steadySeconds } = single(method);
    const singleSteady = (n - Math.min(100, n)) / steadySeconds;
    const row: Record<string, unknown> = { method, rows: n, singleSeconds: s, singleRowsPerSecond: n / s, singleSteadyRowsPerSecond: singleSteady };
    for (const w of workerCounts) {
      const q = await queued(method, w, url, `bench-${method}-${w}`);
      row[`workers${w}Seconds`] = q.seconds;
      row[`workers${w}RowsPerSecond`] = n / q.seconds;
      if (q.steadyRows > 0 && q.steadySeconds > 0) row[`workers${w}SteadyRowsPerSecond`] = q.steadyRows / q.steadySeconds;
      if (w === 1) {
        row.overheadAtOneWorker = q.seconds / s - 1;
        if (q.steadyRows > 0 && q.steadySeconds > 0) row.steadyOverheadAtOneWorker = singleSteady / (q.steadyRows / q.steadySeconds) - 1;
      }
    }
    results.push(row);
    if (!json) process.stderr.write(`${JSON.stringify(row)}\n`);
  }
} finally {
  redis.kill('SIGTERM');
  rmSync(root, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg() }, results }, null, json ? 0 : 2)}\n`);
