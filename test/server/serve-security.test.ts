/**
 * `lumen serve`'s defences with real HTTP requests: the token (403 without it; the cookie flow),
 * the Host check, the upload limit (413 received on a real oversized body), the exact CSP, path
 * traversal, MIME types, and the page shown when the app is not built.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { modelCatalogue } from '../../src/server/model-catalogue.js';
import { startServer, type LumenServer } from '../../src/server/serve-app.js';
import { send } from './http-client.js';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

let server: LumenServer;
let bare: LumenServer;
let cookie: string;
const top = mkdtempSync(path.join(tmpdir(), 'lumen-serve-'));
const root = path.join(top, 'web');

before(async () => {
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>app</title><p>the app</p>');
  writeFileSync(path.join(root, 'assets', 'tfjs-backend-wasm.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(top, 'secret.txt'), 'SECRET');
  server = await startServer({ catalogue: modelCatalogue(), webRoot: root, port: 0, maxUploadBytes: 1024 });
  bare = await startServer({ catalogue: modelCatalogue(), webRoot: path.join(top, 'nothing-built'), port: 0 });
  const first = await send(server.port, `/?token=${server.token}`);
  cookie = String(first.headers['set-cookie']).split(';')[0];
});

after(async () => {
  await server.close();
  await bare.close();
});

test('serve: the printed URL is on 127.0.0.1 with a long random token', () => {
  assert.match(server.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[0-9a-f]{64}$`));
  assert.notEqual(server.token, bare.token);
  const address = server.server.address();
  assert.ok(typeof address === 'object' && address !== null && address.address === '127.0.0.1');
});

test('serve: a request without the token or cookie is refused with 403', async () => {
  for (const p of ['/', '/index.html', '/assets/app.js', '/api/methods']) {
    const r = await send(server.port, p);
    assert.equal(r.status, 403, p);
    assert.doesNotMatch(r.body, /the app/);
  }
  const wrong = await send(server.port, `/?token=${'0'.repeat(64)}`);
  assert.equal(wrong.status, 403);
  const badCookie = await send(server.port, '/', { headers: { cookie: `lumen-token=${'1'.repeat(64)}` } });
  assert.equal(badCookie.status, 403);
});

test('serve: the token sets an HttpOnly SameSite=Strict cookie and redirects without it; the cookie then suffices', async () => {
  const first = await send(server.port, `/index.html?token=${server.token}&view=grid`);
  assert.equal(first.status, 303);
  assert.equal(first.headers.location, '/index.html?view=grid');
  const set = String(first.headers['set-cookie']);
  assert.match(set, new RegExp(`^lumen-token=${server.token};`));
  assert.match(set, /HttpOnly/);
  assert.match(set, /SameSite=Strict/);
  const page = await send(server.port, '/index.html?view=grid', { headers: { cookie } });
  assert.equal(page.status, 200);
  assert.match(page.body, /the app/);
});

test('serve: a foreign Host header is refused (DNS rebinding), localhost:PORT is accepted', async () => {
  for (const host of ['evil.example', `evil.example:${server.port}`, '127.0.0.1', `127.0.0.1:${server.port + 1}`, `127.0.0.1.evil.example:${server.port}`]) {
    const r = await send(server.port, '/', { headers: { host, cookie } });
    assert.equal(r.status, 403, host);
    assert.match(r.body, /Host/);
  }
  const ok = await send(server.port, '/', { headers: { host: `localhost:${server.port}`, cookie } });
  assert.equal(ok.status, 200);
});

test('serve: an oversized real body gets 413 and the client reads it', async () => {
  const big = Buffer.alloc(200_000, 0x61);
  const r = await send(server.port, '/api/explain', { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'content-length': big.length }, body: big });
  assert.equal(r.status, 413);
  assert.equal(r.headers.connection, 'close');
  assert.match(r.body, /max-upload-mb/);
  // Chunked (no Content-Length): the limit is counted as the body arrives.
  const chunked = await send(server.port, '/api/explain', { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: big });
  assert.equal(chunked.status, 413);
});

test('serve: every answer carries the exact CSP, nosniff and no-referrer', async () => {
  for (const [p, h] of [['/', { cookie }], ['/api/methods', { cookie }], ['/', {}], ['/', { host: 'evil.example' }]] as const) {
    const r = await send(server.port, p, { headers: h });
    assert.equal(r.headers['content-security-policy'], CSP, p);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
  }
});

test('serve: path traversal is refused, literal or encoded', async () => {
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/%00', '/%zz']) {
    const r = await send(server.port, p, { headers: { cookie } });
    assert.ok(r.status === 403 || r.status === 400, `${p}: ${r.status}`);
    assert.doesNotMatch(r.body, /SECRET/, p);
  }
  assert.equal((await send(server.port, '/no-such-file.js', { headers: { cookie } })).status, 404);
});

test('serve: static files have their MIME types (application/wasm for the tfjs binaries)', async () => {
  const wasm = await send(server.port, '/assets/tfjs-backend-wasm.wasm', { headers: { cookie } });
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  assert.equal(wasm.headers['content-length'], '8');
  assert.equal((await send(server.port, '/assets/app.js', { headers: { cookie } })).headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal((await send(server.port, '/', { headers: { cookie } })).headers['content-type'], 'text/html; charset=utf-8');
  assert.equal((await send(server.port, '/', { method: 'POST', headers: { cookie } })).status, 405);
});

test('serve: without a built app the page says to run npm run build:web', async () => {
  const first = await send(bare.port, `/?token=${bare.token}`);
  const c = String(first.headers['set-cookie']).split(';')[0];
  const r = await send(bare.port, '/', { headers: { cookie: c } });
  assert.equal(r.status, 200);
  assert.match(r.body, /npm run build:web/);
});

test('serve: a port in use is a clear LumenError', async () => {
  await assert.rejects(startServer({ catalogue: modelCatalogue(), webRoot: root, port: server.port }), (e: Error) => e.name === 'LumenError' && /port is in use/.test(e.message));
});
