/**
 * The dashboard (web/, built to dist/web/) in headless Chromium under the app's strict CSP:
 * it loads with no console errors; IG on two bundled digits computed in the page's worker equals
 * Node's to 1e-5 relative; an ONNX model loaded by file upload predicts as Node's importer does;
 * the view of every Explanation kind renders the labels, values and images of a known result.
 * Screenshots of the main views go to dist/test-artifacts/web/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chromium, type Page } from 'playwright-core';
import { integratedGradients } from '../../src/attribution/gradient/integrated-gradients.js';
import { saliency } from '../../src/attribution/gradient/saliency.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadMnist, mnistSplit } from '../../src/data/mnist.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { loadOnnx } from '../../src/models/onnx/load-onnx.js';
import { encodePng } from '../../src/render/png.js';
import { relativeError, repoPath, testNeedingPackage } from '../helpers.js';
import { ensureBuilt } from './built-app.js';
import * as K from './kind-fixtures.js';
import { serveFolder } from './static-server.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const REASON = `chromium is not installed at ${CHROMIUM} (apt-get install -y --no-install-recommends chromium; .ci/run installs it)`;
const ARTIFACTS = repoPath('dist', 'test-artifacts', 'web');

interface Sample { model: string; shape: number[]; labels: string[]; data: number[] }
interface PageRun { explanation: { method: string; shape: number[]; values: number[]; target: number[] | null }; predictions: number[] }

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function loadJson(page: Page, name: string, value: unknown): Promise<void> {
  await page.setInputFiles('input[name=json]', { name: `${name}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value)) });
  await page.waitForSelector(`.shown[data-source="${name}.json"]`);
}

async function runAndWait(page: Page, count: number): Promise<PageRun[]> {
  await page.click('#run');
  await page.waitForFunction((n) => globalThis.lumen.results.length >= n && !document.querySelector('#cancel:not([disabled])'), count, { timeout: 60_000 });
  const error = await page.locator('[role=alert]').count();
  if (error) assert.fail(`the page reported: ${await page.locator('[role=alert]').textContent()}`);
  return page.evaluate(() => globalThis.lumen.results as unknown as PageRun[]);
}

declare global {
  // eslint-disable-next-line no-var
  var lumen: { results: unknown[]; ready: boolean; backend?: string };
}

testNeedingPackage('the dashboard in headless Chromium: IG equals Node\'s, ONNX upload, a view per explanation kind', existsSync(CHROMIUM), REASON, async () => {
  ensureBuilt();
  const samples = JSON.parse(readFileSync(repoPath('dist', 'web', 'samples.json'), 'utf8')) as Sample[];
  const digits = samples.find((s) => s.model === 'mnist')!;
  const { url, close } = await serveFolder(repoPath('dist', 'web'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => { errors.push(`page error: ${e.message}`); process.stderr.write(`page error: ${e.stack ?? e.message}\n`); });
    page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`); });
    await page.goto(url);
    await page.waitForFunction(() => globalThis.lumen?.ready === true, undefined, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => globalThis.lumen.backend), 'wasm');

    // IG-16 and saliency on digits 0 and 1 of the bundled samples, in the page's worker.
    await page.click('button[data-model=mnist]');
    await page.waitForSelector('input[name=sample]');
    await page.fill('#integrated-gradients-steps', '16');
    const runs = await runAndWait(page, 2);
    assert.deepEqual(runs.map((r) => r.explanation.method), ['saliency', 'integrated-gradients']);
    await useBackend('wasm');
    const { model: layers } = await loadBundledModel('mnist');
    const model = fromLayersModel(layers);
    const x = tf.tensor(digits.data.slice(0, 2 * 784), [2, 28, 28, 1]);
    const ig = await integratedGradients(model, x, { target: 'predicted', steps: 16 });
    const sal = await saliency(model, x, { target: 'predicted' });
    const igErr = relativeError(runs[1]!.explanation.values, await ig.values.data());
    const salErr = relativeError(runs[0]!.explanation.values, await sal.values.data());
    assert.ok(igErr <= 1e-5, `IG: relative error ${igErr.toExponential(2)} between the page and Node`);
    assert.ok(salErr <= 1e-5, `saliency: relative error ${salErr.toExponential(2)} between the page and Node`);
    assert.deepEqual(runs[1]!.explanation.target, ig.target);
    tf.dispose([ig.values, sal.values]);
    // The grid: 2 rows × (input + 2 maps) + 2 colour bars; labels name method and input.
    const grid = page.locator('.attribution-grid');
    assert.equal(await grid.locator('canvas').count(), 2 * 3 + 2);
    assert.deepEqual(await grid.locator('.method-name').allTextContents(), ['saliency', 'integrated-gradients']);
    assert.equal(await grid.locator(`canvas[aria-label="integrated-gradients on ${digits.labels[1]}"]`).count(), 1);
    assert.deepEqual(await grid.locator('.row-head .muted').allTextContents(), ['predicted 0', 'predicted 1']);
    // Click-to-compare: two maps → Spearman and top-10 % overlap from the worker.
    await grid.locator('td canvas').nth(0).click();
    await grid.locator('td canvas').nth(1).click();
    await page.waitForSelector('.comparison:has-text("Spearman")');
    assert.match(await page.locator('.comparison').textContent() ?? '', /saliency on .* vs integrated-gradients on .*: Spearman ρ = -?[\d.]+, top-10 % overlap = [\d.]+/);
    await shot(page, 'attribution-grid');
    await page.selectOption('.attribution-grid select >> nth=2', 'overlay');
    await shot(page, 'attribution-grid-overlay');
    await page.click('input[name=audience] >> nth=0');
    assert.equal(await page.locator('.summary-card').count(), 2);
    assert.match(await page.locator('.summary-card .prediction').first().textContent() ?? '', /The model predicts 0\./);
    assert.match(await page.locator('.summary-card .trust').first().textContent() ?? '', /share \d+ % of their top-10 % features/);
    await shot(page, 'summary');
    await page.click('input[name=audience] >> nth=1');

    // An ONNX model by file upload: the MNIST export, channels last; its predictions are Node's.
    await page.setInputFiles('input[name=onnx]', repoPath('models', 'mnist-onnx', 'mnist.onnx'));
    await page.waitForSelector('.status:has-text("loaded mnist.onnx")');
    await page.uncheck('input[name=method][value=integrated-gradients]');
    const onnxRuns = await runAndWait(page, 1);
    const onnx = await loadOnnx(repoPath('models', 'mnist-onnx', 'mnist.onnx'), { inputLayout: 'nhwc' });
    const out = await onnx.predict(x);
    const best = tf.argMax(out, -1);
    assert.deepEqual(onnxRuns[0]!.predictions, Array.from(await best.data()));
    const onnxSal = await saliency(onnx, x, { target: 'predicted' });
    const onnxErr = relativeError(onnxRuns[0]!.explanation.values, await onnxSal.values.data());
    assert.ok(onnxErr <= 1e-5, `ONNX saliency: relative error ${onnxErr.toExponential(2)}`);
    tf.dispose([x, out, best, onnxSal.values]);
    onnx.dispose();
    layers.dispose();

    // Penguins in the page: IG and feature ablation as tabular plots; saliency's report card on digits.
    await page.click('button[data-model=penguins]');
    await page.waitForSelector('.status:has-text("loaded penguins")');
    const tabRuns = await runAndWait(page, 2);
    assert.deepEqual(tabRuns.map((r) => r.explanation.shape), [[2, 9], [2, 9]]);
    assert.equal(await page.locator('.view.tabular').count(), 2);
    assert.match(await page.locator('.view.tabular').first().textContent() ?? '', /Flipper Length \(mm\)/);
    await shot(page, 'penguins');
    // Spam emails in the page: leave-one-out on the tokens, IG on the embedding layer, as highlighted words.
    await page.click('button[data-model=spam]');
    await page.waitForSelector('.status:has-text("loaded spam")');
    const textRuns = await runAndWait(page, 2);
    assert.deepEqual(textRuns.map((r) => r.explanation.shape), [[2, 120], [2, 120, 16]]);
    const spam = samples.find((s) => s.model === 'spam')! as Sample & { tokens: string[][] };
    const words = spam.tokens[0]!.filter((w) => w !== '');
    assert.deepEqual((await page.locator('.view.tokens').first().locator('.token-example').first().locator('.token').allTextContents()), words);
    await shot(page, 'spam-tokens');
    await page.click('button[data-model=mnist]');
    await page.waitForSelector('.status:has-text("loaded mnist:")');
    await page.uncheck('input[name=method][value=integrated-gradients]');
    await page.check('input[name=card]');
    await runAndWait(page, 1);
    const card = await page.locator('.attribution-grid dd[data-metric]').allTextContents();
    assert.equal(card.length, 2 * 3, 'a report card of three scores under each of the two maps');
    assert.ok(card.every((v) => /^-?[\d.e+-]+$/.test(v)), `report card values: ${card.join(', ')}`);
    await shot(page, 'report-card');
    await page.uncheck('input[name=card]');

    // The user's own image as input: a digit written as a PNG, decoded by the browser; saliency equals Node's on the same grey levels.
    const grey = Uint8Array.from(digits.data.slice(3 * 784, 4 * 784), (v) => Math.round(255 * v));
    const rgba = new Uint8Array(784 * 4).map((_, k) => (k % 4 === 3 ? 255 : grey[k >> 2]!));
    await page.setInputFiles('input[name=images]', { name: 'my-digit.png', mimeType: 'image/png', buffer: encodePng({ data: rgba, width: 28, height: 28 }) });
    await page.waitForSelector('.status:has-text("1 image(s) as inputs of mnist")');
    assert.deepEqual(await page.locator('input[name=sample]').evaluateAll((xs) => xs.map((x) => (x.parentElement?.textContent ?? '').trim())), ['my-digit.png']);
    const ownRuns = await runAndWait(page, 1);
    await useBackend('wasm');
    const mineLayers = (await loadBundledModel('mnist')).model;
    const mine = fromLayersModel(mineLayers);
    const xMine = tf.tensor(Array.from(grey, (g) => (g * 3) / (3 * 255)), [1, 28, 28, 1]);
    const ownSal = await saliency(mine, xMine, { target: 'predicted' });
    const ownErr = relativeError(ownRuns[0]!.explanation.values, await ownSal.values.data());
    assert.ok(ownErr <= 1e-5, `saliency on an uploaded PNG: relative error ${ownErr.toExponential(2)} between the page and Node`);
    tf.dispose([xMine, ownSal.values]);
    mineLayers.dispose();
    assert.equal(await page.locator('.attribution-grid canvas[aria-label="saliency on my-digit.png"]').count(), 1);

    // A long run shows progress per batch and stops on cancel (between batches, no error shown).
    await page.check('input[name=method][value=integrated-gradients]');
    await page.uncheck('input[name=method][value=saliency]');
    await page.fill('#integrated-gradients-steps', '4000');
    await page.selectOption('#integrated-gradients-rule', 'riemann-trapezoid');
    await page.click('#run');
    await page.waitForSelector('progress:not(.running)', { timeout: 30_000 });
    assert.match(await page.locator('progress').getAttribute('title') ?? '', /^integrated-gradients: \d+ of \d+$/);
    await page.click('#cancel');
    await page.waitForSelector('.status:has-text("cancelled")', { timeout: 30_000 });
    assert.equal(await page.locator('[role=alert]').count(), 0);
    await page.fill('#integrated-gradients-steps', '16');
    await page.selectOption('#integrated-gradients-rule', 'gauss-legendre');
    // Leave the field now: its change event on a later blur re-renders the form and the page's scroll jumps under the pointer.
    await page.locator('#integrated-gradients-steps').blur();

    // Each kind's view, from files as the CLI writes them.
    await loadJson(page, 'tabular', K.TABULAR);
    await page.waitForSelector('.shown[data-source="tabular.json"] .plot svg');
    const tab = page.locator('.view.tabular');
    assert.deepEqual(await tab.locator('svg [aria-label="y-axis tick label"] text, svg g[aria-label="y-axis tick label"] text').allTextContents(), ['Flipper Length (mm)', 'Island=Biscoe', 'Beak Length (mm)']);
    await shot(page, 'tabular-bar');
    for (const chart of ['waterfall', 'force', 'beeswarm'] as const) {
      await tab.locator(`button[data-chart=${chart}]`).click();
      await page.waitForSelector(`.plot[data-figure="tabular-${chart}"] svg`);
    }
    // SHAP's force plot of example 0 (base 1, +0.5 +2.25 -0.75): red for, blue against, meeting at f(x) = 3.
    await tab.locator('button[data-chart=force]').click();
    const force = tab.locator('.plot[data-figure="tabular-force"]');
    assert.match(await force.textContent() ?? '', /base value 1[\s\S]*f\(x\) = 3/);
    assert.deepEqual(await force.locator('svg g[aria-label=bar] rect title').allTextContents(), ['Flipper Length (mm): +2.25', 'Beak Length (mm): +0.5', 'Island=Biscoe: -0.75']);
    assert.deepEqual(await force.locator('svg g[aria-label=bar] rect').evaluateAll((rs) => rs.map((r) => r.getAttribute('fill'))), ['#ff0d57', '#ff0d57', '#1e88e5']);
    await shot(page, 'tabular-force');
    await tab.locator('button[data-chart=waterfall]').click();
    await page.waitForSelector('.plot[data-figure="tabular-waterfall"] svg');
    const waterfall = await tab.locator('.plot[data-figure="tabular-waterfall"]').textContent() ?? '';
    assert.match(waterfall, /\+2\.25/);
    assert.match(waterfall, /base 1 → 3/);
    await shot(page, 'tabular-waterfall');

    await loadJson(page, 'text', K.TEXT_CLI);
    assert.deepEqual(await page.locator('.view.tokens .token').allTextContents(), ['free', 'money', 'now']);
    assert.equal(await page.locator('.view.tokens .token[data-score="1.6"]').textContent(), 'money');

    await loadJson(page, 'rules', K.RULES);
    assert.equal(await page.locator('.view.rules li.rule').count(), 3);
    assert.match(await page.locator('.view.rules li.rule').first().textContent() ?? '', /if Flipper Length \(mm\) > 206\.5 then Gentoo — coverage 0\.36, precision 0\.98, 96 rows/);
    assert.equal(await page.locator('.view.rules [data-metric=fidelity]').textContent(), '0.9375');

    await loadJson(page, 'tree', K.TREE);
    assert.equal(await page.locator('.view.tree li.leaf').count(), 3);
    assert.deepEqual(await page.locator('.view.tree .test').allTextContents(), ['Flipper Length (mm) ≤ 206.5', 'Beak Length (mm) ≤ 43.25']);

    await loadJson(page, 'curve', K.CURVE);
    await page.waitForSelector('.view.curve svg');
    assert.match(await page.locator('.view.curve [data-curves]').textContent() ?? '', /3 curve\(s\): PD Gentoo and 2 ICE curves/);
    assert.equal(await page.locator('.view.curve svg path[aria-label], .view.curve svg g[aria-label=line] path').count() >= 3, true);
    await shot(page, 'curve');

    await loadJson(page, 'examples', K.EXAMPLES);
    assert.deepEqual(await page.locator('.view.examples figure').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-index'))), ['412', '97', '1503']);
    assert.equal(await page.locator('.view.examples figure.opponent figcaption').textContent(), 'opponent · score -1.75');
    // With the rows of bundled:mnist (what `lumen examples --data bundled:mnist` indexes): each row's digit and label, as Node reads them.
    await page.selectOption('select[name=rows]', 'bundled:mnist');
    await page.waitForSelector('.view.examples[data-rows="bundled:mnist"] canvas');
    const digitsData = loadMnist();
    const held = Array.from(mnistSplit(digitsData).heldOut);
    const thumbs = page.locator('.view.examples canvas');
    assert.deepEqual(await thumbs.evaluateAll((cs) => cs.map((c) => c.getAttribute('aria-label'))), [412, 97, 1503].map((i) => `row ${i} of bundled:mnist: ${digitsData.labels[held[i]!]}`));
    const pixels = await thumbs.evaluateAll((cs) => cs.map((c) => Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 28, 28).data.filter((_, k) => k % 4 === 0))));
    [412, 97, 1503].forEach((i, j) => assert.deepEqual(pixels[j], Array.from(digitsData.images.subarray(held[i]! * 784, (held[i]! + 1) * 784), (v) => Math.round(255 * v)), `row ${i}: the thumbnail is that digit`));
    await shot(page, 'examples-gallery');
    await page.selectOption('select[name=rows]', 'bundled:penguins');
    await page.waitForSelector('.view.examples[data-rows="bundled:penguins"]');
    assert.match(await page.locator('.view.examples [data-warning=rows]').textContent() ?? '', /^3 row\(s\) lie beyond the 67 rows of bundled:penguins/);
    await page.selectOption('select[name=rows]', '');

    await loadJson(page, 'concepts', K.CONCEPTS);
    assert.match(await page.locator('.view.concepts svg').textContent() ?? '', /dots → dotted @ conv3[\s\S]*0\.91 \(p 0\.001\)/);

    await loadJson(page, 'images', K.IMAGES);
    assert.equal(await page.locator('.view.images canvas').count(), 2);
    assert.deepEqual(await page.locator('.view.images figcaption').allTextContents(), ['conv1 channel 0', 'conv1 channel 1']);

    await loadJson(page, 'similarity', K.SIMILARITY);
    await page.waitForSelector('.view.similarity svg g[aria-label=cell] rect'); // Plot draws after the first render
    assert.equal(await page.locator('.view.similarity svg g[aria-label=cell] rect').count(), 9);
    assert.match(await page.locator('.view.similarity').textContent() ?? '', /0\.71/);
    await shot(page, 'similarity');

    await loadJson(page, 'attack', K.ATTACK);
    assert.equal(await page.locator('.view.attack [data-metric=flipped]').textContent(), '1');
    assert.equal(await page.locator('.view.attack tr.changed').count(), 1);
    assert.equal(await page.locator('.view.attack canvas').count(), 2);

    await loadJson(page, 'fairness', K.FAIRNESS);
    assert.deepEqual(await page.locator('.view.fairness table').first().locator('thead th').allTextContents(), ['metric', 'FEMALE', 'MALE']);
    assert.match(await page.locator('.view.fairness table').first().textContent() ?? '', /selection rate0\.42 \[0\.35, 0\.49\]0\.58/);
    assert.match(await page.locator('.view.fairness table').nth(1).textContent() ?? '', /selection ratedifference0\.16\[0\.05, 0\.27\]/);

    await loadJson(page, 'evaluation', K.EVALUATION);
    const ranking = page.locator('.view.evaluation');
    assert.deepEqual(await ranking.locator('thead th').allTextContents(), ['metric', 'saliency', 'integrated-gradients']);
    assert.deepEqual(await ranking.locator('td.best').allTextContents(), ['0.12 #1', '0.58 #1']);
    assert.deepEqual(await ranking.locator('tr.mean-rank td').allTextContents(), ['1.5', '1.5']);
    assert.match(await ranking.locator('.verdicts').textContent() ?? '', /integrated-gradients: the most faithful/);
    await shot(page, 'evaluation');

    // All kinds at once (a list in one file), and the HTML export of what is shown.
    await page.setInputFiles('input[name=json]', { name: 'all.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify([K.RULES, K.TREE, K.CURVE, K.EXAMPLES, K.CONCEPTS, K.IMAGES, K.SIMILARITY, K.ATTACK, K.FAIRNESS])) });
    await page.waitForSelector('.shown[data-source="all.json[8]"]');
    assert.deepEqual(await page.locator('#views .view').evaluateAll((vs) => vs.map((v) => v.getAttribute('data-kind'))), ['rules', 'tree', 'curve', 'examples', 'concepts', 'images', 'similarity', 'attack', 'fairness']);
    await shot(page, 'all-kinds');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-export=html]')]);
    const html = readFileSync(await download.path(), 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /<script/);
    assert.equal((html.match(/<img [^>]*src="data:image\/png/g) ?? []).length, 2 + 2, 'the HTML export inlines the images and attack canvases');

    const [png] = await Promise.all([page.waitForEvent('download'), page.click('button[data-export=png]')]);
    assert.deepEqual([...readFileSync(await png.path()).subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'the PNG export is a PNG');
    const [svg] = await Promise.all([page.waitForEvent('download'), page.click('button[data-export=svg]')]);
    const svgText = readFileSync(await svg.path(), 'utf8');
    assert.match(svgText, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svgText, /linear-cka/);

    // <lumen-explanation>: the views as a web component, given an explanation as a property or as its JSON text.
    const element = await page.evaluate((rulesJson: string) => {
      const rules: unknown = JSON.parse(rulesJson);
      const a = document.createElement('lumen-explanation') as HTMLElement & { explanation: unknown };
      document.body.append(a);
      a.explanation = rules;
      const b = document.createElement('lumen-explanation');
      b.setAttribute('view', 'summary');
      b.textContent = rulesJson;
      document.body.append(b);
      return { rules: a.querySelectorAll('li.rule').length, summary: b.querySelector('.summary-line')?.textContent };
    }, JSON.stringify(K.RULES));
    assert.deepEqual(element, { rules: 3, summary: 'pedagogical-rules: 3 rules that agree with the model on 94 % of rows.' });

    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await close();
  }
});
