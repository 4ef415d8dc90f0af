import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { indexSource, nodeIndexSource, publicModules } from '../scripts/index-source.js';
import { repoPath } from './helpers.js';

test('src/index.ts and src/node.ts are what the generator writes (run `npm run index` after adding a file)', () => {
  assert.equal(readFileSync(repoPath('src', 'index.ts'), 'utf8'), indexSource(repoPath('src')));
  assert.equal(readFileSync(repoPath('src', 'node.ts'), 'utf8'), nodeIndexSource(repoPath('src')));
});

test('the index holds the public API only: no kernels, ONNX op tables, parity builders or CLI; Node-only modules go to lumen/node', () => {
  const { browser, node } = publicModules(repoPath('src'));
  for (const f of [...browser, ...node]) assert.doesNotMatch(f, /^(cli|parity|engine\/kernels|models\/onnx\/ops)\//, f);
  for (const f of ['attribution/gradient/integrated-gradients.ts', 'models/onnx/load-onnx.ts', 'metrics/report-card.ts', 'render/heatmap.ts', 'engine/backend.ts']) {
    assert.ok(browser.includes(f), `${f} is public and runs anywhere`);
  }
  for (const f of ['models/bundled.ts', 'data/mnist.ts', 'render/png.ts', 'models/onnx/load-onnx-runtime.ts', 'node/use-backend-from-env.ts']) {
    assert.ok(node.includes(f), `${f} needs Node`);
  }
});

// The package's own name resolves through package.json `exports`, as it does for a user of it.
const fresh = (code: string) => spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: repoPath() });

test("import('lumen') loads on its own in a fresh process (no import cycle leaves a registry uninitialised)", () => {
  const r = fresh("const m = await import('lumen'); console.log(m.METHODS.length, typeof m.lrp, typeof m.kernelShap, typeof m.loadOnnx, typeof m.loadMnist, typeof m.installKernels);");
  assert.equal(r.status, 0, r.stderr);
  const [count, ...types] = r.stdout.trim().split(/\s+/);
  assert.ok(Number(count) > 30, `METHODS has ${count} entries`);
  assert.deepEqual(types, ['function', 'function', 'function', 'undefined', 'undefined']);
});

test("import('lumen/node') re-exports lumen and adds the Node-only API", () => {
  const r = fresh("const m = await import('lumen'); const n = await import('lumen/node'); console.log(Object.keys(m).every((k) => n[k] === m[k]), typeof n.loadMnist, typeof n.loadBundledModel, typeof n.loadOnnxRuntime, typeof n.useBackendFromEnv);");
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split(/\s+/), ['true', 'function', 'function', 'function', 'function']);
});
