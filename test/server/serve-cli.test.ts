/** `lumen serve` as a process: it prints the tokenised URL, answers, and exits 0 on SIGINT; a bad --model is a LumenError. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { repoPath } from '../helpers.js';
import { send } from './http-client.js';

const CLI = repoPath('dist', 'src', 'cli', 'main.js');

test('lumen serve: prints the URL with its token, serves, and stops cleanly on SIGINT', async () => {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(new URL(m[0]));
      }
    });
    child.on('exit', () => reject(new Error(`exited early: ${out}`)));
  });
  const port = Number(url.port);
  assert.equal((await send(port, '/api/models')).status, 403);
  assert.equal((await send(port, `/api/models?token=${url.searchParams.get('token')}`)).status, 200);
  const code = await new Promise<number | null>((resolve) => {
    child.on('exit', (c) => resolve(c));
    child.kill('SIGINT');
  });
  assert.equal(code, 0);
  assert.match(out, /stopping/);
});

test('lumen serve: a bad --model or --port is a clear error before listening', () => {
  const bad = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--model', 'no-such-model.json'], { encoding: 'utf8' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--model no-such-model\.json/);
  const port = spawnSync(process.execPath, [CLI, 'serve', '--port', '70000'], { encoding: 'utf8' });
  assert.notEqual(port.status, 0);
  assert.match(port.stderr, /--port/);
});
