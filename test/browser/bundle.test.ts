import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repoPath } from '../helpers.js';
import { bundleForBrowser } from './bundle.js';

const NODE_ONLY_PACKAGES = /node_modules\/(onnxruntime-node|pngjs|commander|cli-progress|protobufjs\/src\/util\/codegen)/;

test("the browser entry (lumen) bundles with esbuild for platform 'browser' without any Node built-in", async () => {
  const b = await bundleForBrowser(repoPath('dist', 'src', 'index.js'));
  assert.deepEqual(b.errors, []);
  assert.deepEqual(b.nodeImports, []);
  assert.deepEqual(b.inputs.filter((f) => NODE_ONLY_PACKAGES.test(f)), [], 'no Node-only package (nor protobufjs codegen) in the bundle');
  assert.ok(b.inputs.some((f) => f.endsWith('dist/src/models/read-model-bytes-browser.js')), 'the browser field swaps the file reader for fetch');
  assert.ok(!b.inputs.some((f) => f.endsWith('dist/src/models/read-model-bytes.js')));
  assert.match(b.code, /integratedGradients/);
});

test('the check can fail: lumen/node does reach Node built-ins', async () => {
  const b = await bundleForBrowser(repoPath('dist', 'src', 'node.js'));
  assert.ok(b.nodeImports.some((s) => /^(node:)?fs\b/.test(s)), `expected an fs import; found ${b.nodeImports.slice(0, 5).join(', ')}`);
});
