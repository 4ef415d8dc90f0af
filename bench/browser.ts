/**
 * Browser vs Node, one run: IG-50 on one MNIST digit (bundled model) and saliency on one 224×224
 * image through MobileNetV2 (test/models/npm/nsfwjs-mobilenet-v2, a real Keras MobileNetV2),
 * each timed in the dashboard's worker (headless Chromium, tfjs wasm; the page under `lumen
 * serve`, the model and the image given through the page's own file inputs) and with the same
 * library call in Node (wasm backend). One warm-up, then the median of `--reps` (default 3).
 *   npm run build && npm run build:web && node dist/bench/browser.js [--reps 3]
 * Prints JSON. Figures taken while the machine is shared are "under load".
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { chromium, type Page } from 'playwright-core';
import { integratedGradients } from '../src/attribution/gradient/integrated-gradients.js';
import { saliency } from '../src/attribution/gradient/saliency.js';
import { useBackend } from '../src/engine/backend.js';
import { loadBundledModel } from '../src/models/bundled.js';
import { fromLayersModel } from '../src/models/from-layers-model.js';
import { loadLayersModel } from '../src/models/model-io.js';
import { encodePng } from '../src/render/png.js';
import { modelCatalogue } from '../src/server/model-catalogue.js';
import { startServer } from '../src/server/serve-app.js';
import { repoPath } from '../test/helpers.js';
import { ensureBuilt } from '../test/web/built-app.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 3;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Clicks Explain and returns the worker's time for the one method (RunResult.ms). */
async function pageRun(page: Page): Promise<number> {
  await page.click('#run');
  await page.waitForFunction(() => (globalThis as unknown as { lumen: { results: unknown[] } }).lumen.results.length >= 1 && !document.querySelector('#cancel:not([disabled])'), undefined, { timeout: 600_000 });
  const ms = await page.evaluate(() => (globalThis as unknown as { lumen: { results: { ms: number }[] } }).lumen.results[0]!.ms);
  return ms;
}

async function pageTimes(page: Page): Promise<{ median: number; all: number[]; progressShown: boolean }> {
  await pageRun(page);
  const all: number[] = [];
  let progressShown = false;
  for (let i = 0; i < reps; i++) {
    const seen = page.waitForSelector('progress', { timeout: 200 }).then(() => true, () => false);
    all.push(await pageRun(page));
    progressShown ||= await seen;
  }
  return { median: median(all), all, progressShown };
}

async function nodeTimes(call: () => Promise<{ values: tf.Tensor }>): Promise<{ median: number; all: number[] }> {
  (await call()).values.dispose();
  const all: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const a = await call();
    await a.values.data();
    all.push(performance.now() - t);
    a.values.dispose();
  }
  return { median: median(all), all };
}

async function main(): Promise<void> {
  const backend = await useBackend('wasm');
  const server = await startServer({ catalogue: modelCatalogue(), webRoot: ensureBuilt(), port: 0 });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const out: Record<string, unknown> = { reps, nodeBackend: backend, nodeWasmThreads: getThreadsCount(), note: 'one run; the machine is shared: under load' };
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => (globalThis as unknown as { lumen?: { ready: boolean } }).lumen?.ready === true, undefined, { timeout: 60_000 });
    out.pageCrossOriginIsolated = await page.evaluate(() => crossOriginIsolated);
    // IG-50 on digit 0 of the bundled samples.
    await page.click('button[data-model=mnist]');
    await page.waitForSelector('input[name=sample]');
    await page.uncheck('input[name=sample] >> nth=1');
    await page.uncheck('input[name=method][value=saliency]');
    await page.fill('#integrated-gradients-steps', '50');
    await page.locator('#integrated-gradients-steps').blur();
    const igPage = await pageTimes(page);
    const samples = JSON.parse(await page.evaluate(async () => JSON.stringify(await (await fetch('samples.json')).json()))) as { model: string; data: number[] }[];
    const { model: layers } = await loadBundledModel('mnist');
    const mnist = fromLayersModel(layers);
    const x = tf.tensor(samples.find((s) => s.model === 'mnist')!.data.slice(0, 784), [1, 28, 28, 1]);
    const igNode = await nodeTimes(() => integratedGradients(mnist, x, { target: 'predicted', steps: 50 }));
    x.dispose();
    layers.dispose();
    out.ig50Digit = { browserMs: igPage, nodeMs: igNode, ratio: igPage.median / igNode.median };

    // Saliency on a 224×224 image through MobileNetV2, model and image given through the page's file inputs.
    const dir = repoPath('test', 'models', 'npm', 'nsfwjs-mobilenet-v2');
    await page.setInputFiles('input[name=tfjs]', [`${dir}/model.json`, `${dir}/group1-shard1of1`]);
    await page.waitForSelector('.status:has-text("loaded")', { timeout: 120_000 });
    let seed = 7;
    const rgba = new Uint8Array(224 * 224 * 4).map((_, k) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return k % 4 === 3 ? 255 : seed % 256; });
    await page.setInputFiles('input[name=images]', { name: 'noise224.png', mimeType: 'image/png', buffer: encodePng({ data: rgba, width: 224, height: 224 }) });
    await page.waitForSelector('.status:has-text("1 image(s)")');
    for (const v of await page.locator('input[name=method]:checked').evaluateAll((xs) => xs.map((x) => (x as HTMLInputElement).value))) await page.uncheck(`input[name=method][value=${v}]`);
    await page.check('input[name=method][value=saliency]');
    const salPage = await pageTimes(page);
    const net = await loadLayersModel(dir);
    const mobile = fromLayersModel(net);
    const img = tf.tensor(Array.from({ length: 224 * 224 * 3 }, (_, i) => rgba[(i / 3 | 0) * 4 + (i % 3)]! / 255), [1, 224, 224, 3]);
    const salNode = await nodeTimes(() => saliency(mobile, img, { target: 'predicted' }));
    img.dispose();
    net.dispose();
    out.saliencyMobileNetV2_224 = { browserMs: salPage, nodeMs: salNode, ratio: salPage.median / salNode.median };
  } finally {
    await browser.close();
    await server.close();
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main();
