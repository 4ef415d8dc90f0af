/**
 * The dashboard under `lumen serve` (src/server/) in headless Chromium: the server's token
 * redirect, cookie and Content-Security-Policy let the app start with no console error; the page
 * sees the server (lumen-serve.json) and offers its panel; saliency on rows of the bundled MNIST
 * held-out set runs in the Node process through the registry (POST /api/explain) and equals the
 * library's own call on the same rows; a long server job shows progress and is cancelled from
 * the page (the job leaves the server's table as 'cancelled').
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { chromium } from 'playwright-core';
import { saliency } from '../../src/attribution/gradient/saliency.js';
import { loadMnist, mnistBatch, mnistSplit } from '../../src/data/mnist.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { modelCatalogue } from '../../src/server/model-catalogue.js';
import { startServer } from '../../src/server/serve-app.js';
import { relativeError, repoPath, testNeedingPackage } from '../helpers.js';
import { ensureBuilt } from './built-app.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** What the page keeps of its last server job (web/src/app.tsx, globalThis.lumen.server). */
interface ServerRun { explanation: { method: string; shape: number[]; values: number[] }; targetNames: string[] | null }

testNeedingPackage('the dashboard under lumen serve: dataset rows explained in the Node process, progress and cancel', existsSync(CHROMIUM), `chromium is not installed at ${CHROMIUM}`, async () => {
  await useBackend();
  const server = await startServer({ catalogue: modelCatalogue(), webRoot: ensureBuilt(), port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`); });
    await page.goto(server.url);
    assert.equal(new URL(page.url()).search, '', 'the token is moved into a cookie and stripped from the address');
    await page.waitForFunction(() => globalThis.lumen?.ready === true, undefined, { timeout: 30_000 });
    await page.waitForSelector('.server-panel');
    assert.deepEqual(await page.locator('select[name=server-model] option').allTextContents(), modelCatalogue().entries.map((e) => e.id));

    await page.selectOption('select[name=server-model]', 'bundled:mnist');
    await page.fill('input[name=server-rows]', '0-2, 5');
    await page.selectOption('select[name=server-method]', 'saliency');
    await page.click('#server-run');
    await page.waitForSelector('.shown[data-source="lumen serve: bundled:mnist"] .attribution-grid canvas');
    const result = await page.evaluate(() => (globalThis.lumen as unknown as { server: ServerRun }).server);
    assert.equal(result.explanation.method, 'saliency');
    assert.deepEqual(result.explanation.shape, [4, 28, 28, 1]);
    const digits = loadMnist();
    const held = Array.from(mnistSplit(digits).heldOut);
    const x = mnistBatch(digits, [0, 1, 2, 5].map((i) => held[i]!));
    const { model: layers } = await loadBundledModel('mnist');
    const ref = await saliency(fromLayersModel(layers), x, { target: 'predicted' });
    const err = relativeError(result.explanation.values, await ref.values.data());
    assert.ok(err <= 1e-6, `saliency on the server vs the library: relative error ${err.toExponential(2)}`);
    assert.deepEqual(result.targetNames, ref.target!.map(String));
    tf.dispose([x, ref.values]);
    layers.dispose();
    const grid = page.locator('.shown[data-source="lumen serve: bundled:mnist"] .attribution-grid');
    // 4 rows × (the digit the build carries + its map) + the colour bar
    assert.equal(await grid.locator('canvas').count(), 4 * 2 + 1);
    assert.deepEqual(await grid.locator('.row-head .muted').allTextContents(), result.targetNames!.map((t) => `predicted ${t}`));
    assert.match(await page.locator('.status').textContent() ?? '', /in the Node process/);
    mkdirSync(repoPath('dist', 'test-artifacts', 'web'), { recursive: true });
    await page.screenshot({ path: repoPath('dist', 'test-artifacts', 'web', 'serve-node-rows.png'), fullPage: true });

    // A long job: progress from the server's NDJSON lines, then cancel from the page.
    await page.selectOption('select[name=server-method]', 'integrated-gradients');
    await page.fill('#server-integrated-gradients-steps', '3000');
    await page.fill('input[name=server-rows]', '0-31');
    await page.click('#server-run');
    await page.waitForSelector('progress.server-progress', { timeout: 30_000 });
    assert.match(await page.locator('progress.server-progress').getAttribute('title') ?? '', /^integrated-gradients: \d+ of \d+$/);
    assert.equal(server.jobs.list().length, 1);
    await page.click('#server-cancel');
    await page.waitForSelector('.status:has-text("cancelled")', { timeout: 30_000 });
    for (let i = 0; i < 100 && server.jobs.list().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(server.jobs.list().length, 0);
    assert.equal(server.jobs.ended.at(-1)?.status, 'cancelled');
    assert.equal(await page.locator('[role=alert]').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
