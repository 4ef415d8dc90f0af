/**
 * `lumen serve`'s JSON API with real HTTP requests: /api/methods is the registry, /api/models the
 * catalogue, /api/explain runs integrated gradients on a bundled MNIST digit in the Node process
 * and gives the numbers of the library's own call, bad requests are 400 with a LumenError message,
 * and a client that disconnects cancels its job (it leaves the job table, no tensors are left).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { integratedGradients } from '../../src/attribution/gradient/integrated-gradients.js';
import { loadMnist, mnistBatch, mnistSplit } from '../../src/data/mnist.js';
import { useBackend } from '../../src/engine/backend.js';
import { METHODS } from '../../src/methods.js';
import { loadModelSpec } from '../../src/cli/load-model.js';
import { modelCatalogue } from '../../src/server/model-catalogue.js';
import { startServer, type LumenServer } from '../../src/server/serve-app.js';
import { send } from './http-client.js';

let server: LumenServer;
let cookie: string;

before(async () => {
  await useBackend();
  server = await startServer({ catalogue: modelCatalogue(), webRoot: mkdtempSync(path.join(tmpdir(), 'lumen-api-')), port: 0 });
  cookie = String((await send(server.port, `/?token=${server.token}`)).headers['set-cookie']).split(';')[0];
});

after(async () => {
  await server.close();
});

function post(body: unknown): Promise<{ status: number; lines: Record<string, unknown>[]; body: string }> {
  return send(server.port, '/api/explain', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => ({
    status: r.status,
    body: r.body,
    lines: r.status === 200 ? r.body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) : [],
  }));
}

function digits(count: number): { shape: number[]; data: number[] } {
  const data = loadMnist();
  const idx = Array.from(mnistSplit(data).heldOut).slice(0, count);
  const t = mnistBatch(data, idx);
  const out = { shape: t.shape, data: Array.from(t.dataSync()) };
  t.dispose();
  return out;
}

test('api: GET /api/methods lists every registry entry with its kinds and option specs', async () => {
  const r = await send(server.port, '/api/methods', { headers: { cookie } });
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  const { methods } = JSON.parse(r.body) as { methods: { id: string; scope: string; inputKinds: string[]; options: { name: string; type: string }[] }[] };
  assert.deepEqual(methods.map((m) => m.id), METHODS.map((m) => m.id));
  const ig = methods.find((m) => m.id === 'integrated-gradients')!;
  assert.equal(ig.scope, 'local');
  assert.ok(ig.options.some((o) => o.name === 'steps' && o.type === 'integer'));
  assert.deepEqual(ig.inputKinds, METHODS.find((m) => m.id === 'integrated-gradients')!.inputKinds);
});

test('api: GET /api/models lists the bundled models', async () => {
  const r = await send(server.port, '/api/models', { headers: { cookie } });
  const { models } = JSON.parse(r.body) as { models: { id: string }[] };
  assert.ok(models.some((m) => m.id === 'bundled:mnist'));
  assert.ok(models.some((m) => m.id === 'bundled:penguins'));
});

test('api: POST /api/explain runs IG on a bundled digit in Node and equals the library call', async () => {
  const inputs = digits(1);
  const r = await post({ model: 'bundled:mnist', method: 'integrated-gradients', options: { steps: 16, batchSize: 4 }, inputs });
  assert.equal(r.status, 200, r.body);
  assert.ok(r.lines.some((l) => l.progress !== undefined), 'progress lines streamed');
  const last = r.lines[r.lines.length - 1] as { explanation: { kind: string; method: string; shape: number[]; values: number[]; target: number[] } };
  assert.equal(last.explanation.kind, 'attribution');
  assert.deepEqual(last.explanation.shape, [1, 28, 28, 1]);
  const loaded = await loadModelSpec('bundled:mnist');
  const x = tf.tensor(inputs.data, inputs.shape);
  const ref = await integratedGradients(loaded.model, x, { steps: 16 });
  const want = Array.from(await ref.values.data());
  assert.deepEqual(last.explanation.target, ref.target);
  const scale = Math.max(...want.map(Math.abs));
  const err = Math.max(...want.map((v, i) => Math.abs(v - last.explanation.values[i])));
  assert.ok(err <= 1e-5 * scale, `max |Δ| ${err} vs scale ${scale}`);
  ref.dispose();
  x.dispose();
  loaded.dispose();
});

test('api: bad requests are 400 with the LumenError message; only catalogue models', async () => {
  const inputs = digits(1);
  const cases: [unknown, RegExp][] = [
    [{ model: '/etc/passwd', method: 'saliency', inputs }, /not offered by this server/],
    [{ model: 'bundled:mnist', method: 'no-such-method', inputs }, /no-such-method/],
    [{ model: 'bundled:mnist', method: 'integrated-gradients', options: { steps: 'many' }, inputs }, /steps/],
    [{ model: 'bundled:mnist', method: 'saliency', inputs: { shape: [1, 28, 28, 1], data: [1, 2] } }, /784/],
    [{ model: 'bundled:mnist', method: 'saliency', inputs: { shape: [1, 4], data: [1, 2, 3, 4] } }, /28, 28, 1/],
    [{ model: 'bundled:mnist', method: 'saliency', dataset: { rows: [10 ** 9] } }, /past the dataset/],
    [{ model: 'bundled:mnist', method: 'saliency' }, /exactly one of/],
  ];
  for (const [body, message] of cases) {
    const r = await post(body);
    assert.equal(r.status, 400, r.body);
    const e = JSON.parse(r.body) as { error: { code: string; message: string } };
    assert.match(e.error.message, message);
  }
  const text = await send(server.port, '/api/explain', { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body: '{}' });
  assert.equal(text.status, 415);
});

test('api: dataset rows of the bundled data are explained like the same rows sent as inputs', async () => {
  const a = await post({ model: 'bundled:penguins', method: 'saliency', dataset: { rows: [2, 0] } });
  assert.equal(a.status, 200, a.body);
  const ea = (a.lines[a.lines.length - 1] as { explanation: { shape: number[]; values: number[] } }).explanation;
  assert.equal(ea.shape[0], 2);
  const b = await post({ model: 'bundled:penguins', method: 'saliency', dataset: { rows: [0] } });
  const eb = (b.lines[b.lines.length - 1] as { explanation: { shape: number[]; values: number[] } }).explanation;
  const per = eb.values.length;
  assert.deepEqual(ea.values.slice(per, 2 * per), eb.values);
});

test('api: a client that disconnects cancels its job; the job leaves the table and no tensors remain', async () => {
  const inputs = digits(8);
  // Warm: the model is loaded and kernels are set up before counting tensors.
  await post({ model: 'bundled:mnist', method: 'integrated-gradients', options: { steps: 4 }, inputs: digits(1) });
  const tensorsBefore = tf.memory().numTensors;
  const body = JSON.stringify({ model: 'bundled:mnist', method: 'integrated-gradients', options: { steps: 2000, batchSize: 8 }, inputs });
  const seen = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/api/explain', method: 'POST', headers: { cookie, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString('utf8');
        if (text.includes('"progress"')) {
          req.destroy();
          resolve(text);
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
    req.end(body);
  });
  assert.match(seen, /"job":\d+/);
  const deadline = Date.now() + 20_000;
  while (server.jobs.list().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(server.jobs.list().length, 0, 'the job left the table');
  assert.equal(server.jobs.ended[server.jobs.ended.length - 1].status, 'cancelled');
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors left by the cancelled job');
});
