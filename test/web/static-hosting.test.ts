/**
 * The static build (dist/web/) hosted without Lumen: from a plain static server (Python's
 * http.server: no Content-Security-Policy, its own MIME types) under a sub-path, the app starts,
 * computes on the wasm backend in its worker and explains a bundled digit with no console or HTTP
 * error; opened from disk (file://), where browsers refuse module scripts, module workers and
 * WebAssembly fetches, the page shows its static notice telling how to serve it instead.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { repoPath, testNeedingPackage } from '../helpers.js';
import { ensureBuilt } from './built-app.js';

const CHROMIUM = '/usr/bin/chromium';
const PYTHON = '/usr/bin/python3';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const REASON = `chromium (${CHROMIUM}) and python3 (${PYTHON}) are needed (apt-get install -y --no-install-recommends chromium python3)`;

declare global {
  // eslint-disable-next-line no-var
  var lumen: { results: unknown[]; ready: boolean; backend?: string };
}

/** `python3 -m http.server` on 127.0.0.1 and a free port, serving `dir`; resolves with its URL once it listens. */
function pythonServer(dir: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(PYTHON, ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { child.kill(); reject(new Error(`http.server did not start: ${out}`)); }, 15_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${m[1]}/`, stop: () => child.kill() });
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`http.server exited (${code}): ${out}`)); });
  });
}

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`); });
  return errors;
}

testNeedingPackage('the static build runs from a plain static server under a sub-path, and says what to do from file://', existsSync(CHROMIUM) && existsSync(PYTHON), REASON, async () => {
  ensureBuilt();
  const server = await pythonServer(repoPath('dist'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  try {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(`${server.url}web/`);
    await page.waitForFunction(() => globalThis.lumen?.ready === true, undefined, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => globalThis.lumen?.backend), 'wasm');
    assert.equal(await page.locator('#no-script').count(), 0, 'the app replaced the static notice');
    assert.equal(await page.locator('.server-panel').count(), 0, 'a static host has no Node process: no server panel');
    await page.click('button[data-model=mnist]');
    await page.waitForSelector('input[name=sample]');
    await page.uncheck('input[name=method][value=integrated-gradients]');
    await page.click('#run');
    await page.waitForFunction(() => (globalThis.lumen?.results.length ?? 0) >= 1 && !document.querySelector('#cancel:not([disabled])'), undefined, { timeout: 60_000 });
    assert.equal(await page.locator('[role=alert]').count(), 0);
    // two digits: input and saliency map each, and the map's colour bar
    assert.equal(await page.locator('.attribution-grid canvas').count(), 2 * 2 + 1);
    assert.deepEqual(errors, []);

    const disk = await browser.newPage();
    await disk.goto(pathToFileURL(repoPath('dist', 'web', 'index.html')).href);
    assert.equal(await disk.evaluate(() => globalThis.lumen === undefined), true, 'from file:// the module script is refused');
    assert.ok(await disk.locator('#no-script').isVisible());
    assert.match(await disk.locator('#no-script').textContent() ?? '', /file:\/\/[\s\S]*lumen serve[\s\S]*python3 -m http\.server -d dist\/web/);
  } finally {
    await browser.close();
    server.stop();
  }
});
