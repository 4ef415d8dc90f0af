import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { repoPath } from '../../helpers.js';

const entry = pathToFileURL(repoPath('dist', 'src', 'models', 'onnx', 'load-onnx-runtime.js')).href;
const model = repoPath('models', 'mnist-onnx', 'mnist.onnx');

test('loadOnnxRuntime(path) opens a file with onnxruntime-node as a black box', async () => {
  const { loadOnnxRuntime } = await import(entry);
  const m = await loadOnnxRuntime(model);
  assert.equal(m.differentiable, false);
  assert.deepEqual(m.outputShape, [10]);
  m.dispose();
});

test('loadOnnxRuntime without onnxruntime-node installed is a LumenError naming the package', () => {
  // A resolve hook makes onnxruntime-node unresolvable in a fresh process, as when the optional dependency is absent.
  const hook = `export async function resolve(s, c, next) { if (s === 'onnxruntime-node') { const e = new Error("Cannot find package 'onnxruntime-node'"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; } return next(s, c); }`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  const code = `const { loadOnnxRuntime } = await import(${JSON.stringify(entry)}); try { await loadOnnxRuntime(${JSON.stringify(model)}); console.log('loaded'); } catch (e) { console.log(e.name, e.code, e.message); }`;
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, '--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^LumenError backend loadOnnxRuntime: expected the optional package 'onnxruntime-node' \(npm install onnxruntime-node\); found it not installed/);
});
