import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as tf from '@tensorflow/tfjs';
import { chromium } from 'playwright-core';
import { loadMnist, mnistBatch } from '../../src/data/mnist.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { loadOnnx } from '../../src/models/onnx/load-onnx.js';
import { relativeError, repoPath, testNeedingPackage } from '../helpers.js';
import { bundleForBrowser } from './bundle.js';
import { explainNumbers, type PageNumbers, type PageResult } from './page-contract.js';

const CHROMIUM = '/usr/bin/chromium';
// The flags DEVELOPERS.md lists: Debian's chromium, headless, no sandbox (root in CI), nothing fetched.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
// No 'unsafe-eval': code built at run time (new Function, eval) is refused; compiling wasm is allowed.
const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'";

const REASON = `chromium is not installed at ${CHROMIUM} (apt-get install -y --no-install-recommends chromium; .ci/run installs it)`;

/** Serves the page, its bundle, the wasm binaries and the bundled MNIST model files on 127.0.0.1 (a free port). */
async function servePage(bundle: string, input: string): Promise<{ server: Server; url: string }> {
  const files: Record<string, [string, () => Buffer | string]> = {
    '/': ['text/html', () => '<!doctype html><meta charset="utf-8"><title>lumen</title><script type="module" src="/page.js"></script>'],
    '/page.js': ['text/javascript', () => bundle],
    '/input.json': ['application/json', () => input],
    '/models/mnist/model.json': ['application/json', () => readFileSync(repoPath('models', 'mnist', 'model.json'))],
    '/models/mnist/weights.bin': ['application/octet-stream', () => readFileSync(repoPath('models', 'mnist', 'weights.bin'))],
    '/models/mnist-onnx/mnist.onnx': ['application/octet-stream', () => readFileSync(repoPath('models', 'mnist-onnx', 'mnist.onnx'))],
  };
  for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    files[`/wasm/${name}`] = ['application/wasm', () => readFileSync(repoPath('node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist', name))];
  }
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file[0], 'content-security-policy': CSP }).end(file[1]());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}


async function nodeNumbers(x: tf.Tensor): Promise<PageNumbers> {
  const backend = await useBackend('wasm');
  const { model: layers } = await loadBundledModel('mnist');
  const model = fromLayersModel(layers);
  const onnx = await loadOnnx(repoPath('models', 'mnist-onnx', 'mnist.onnx'), { inputLayout: 'nhwc' });
  const numbers = { backend, ...(await explainNumbers(model, onnx, x)) };
  onnx.dispose();
  layers.dispose();
  return numbers;
}

testNeedingPackage('in headless Chromium (wasm backend, strict CSP) saliency, IG and the ONNX importer give Node\'s numbers (≤ 1e-5 relative)', existsSync(CHROMIUM), REASON, async () => {
  const bundle = await bundleForBrowser(repoPath('dist', 'test', 'browser', 'page.js'));
  assert.deepEqual([...bundle.errors, ...bundle.nodeImports], []);
  await useBackend('wasm');
  const digits = loadMnist();
  const x = mnistBatch(digits, [3 * 1000 + 17, 7 * 1000 + 5]);
  const input = { data: Array.from(await x.data()), shape: x.shape };
  const reference = await nodeNumbers(x);
  x.dispose();

  const { server, url } = await servePage(bundle.code, JSON.stringify(input));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => 'lumenResult' in globalThis, undefined, { timeout: 240_000 });
    const got = await page.evaluate(() => (globalThis as unknown as { lumenResult: PageResult }).lumenResult);
    if ('error' in got) assert.fail(`the page failed: ${got.error}`);
    assert.deepEqual(errors, []);
    assert.equal(got.evalRefused, true, 'the page CSP refuses new Function');
    assert.deepEqual(got.violations, [], 'no CSP violation while loading and explaining');
    assert.equal(got.backend, 'wasm');
    assert.equal(reference.backend, 'wasm');
    assert.equal(got.tensorsLeft, 0, 'no tensor leaks in the page');
    for (const key of ['saliency', 'integratedGradients', 'onnxOutput'] as const) {
      const err = relativeError(got[key], reference[key]);
      assert.ok(err <= 1e-5, `${key}: relative error ${err.toExponential(2)} between Chromium and Node`);
    }
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
