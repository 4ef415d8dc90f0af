import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { saliency } from '../../src/attribution/gradient/saliency.js';
import { deepLift } from '../../src/attribution/propagation/deep-lift.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadModelFile } from '../../src/models/load-model-file.js';
import { saveLayersModel } from '../../src/models/model-io.js';
import { repoPath } from '../helpers.js';

test('loadModelFile loads an .onnx file (NHWC input by default) and a tfjs Layers model directory', async () => {
  await useBackend();
  const onnx = await loadModelFile(repoPath('test', 'fixtures', 'cnn.onnx'));
  assert.deepEqual(onnx.inputShape, [12, 12, 1]);
  assert.equal(onnx.differentiable, true);
  onnx.dispose();
  const nchw = await loadModelFile(repoPath('test', 'fixtures', 'cnn.onnx'), { onnxInputLayout: 'nchw' });
  assert.deepEqual(nchw.inputShape, [1, 12, 12]);
  nchw.dispose();
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-lmf-'));
  try {
    const m = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], name: 'd' })] });
    await saveLayersModel(m, dir);
    const loaded = await loadModelFile(path.join(dir, 'model.json'));
    assert.deepEqual(loaded.layers.map((l) => l.name), ['d']);
    loaded.dispose();
    m.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await assert.rejects(loadModelFile(repoPath('test', 'fixtures', 'nothing.onnx')), LumenError);
  await assert.rejects(loadModelFile(repoPath('test', 'fixtures', 'README.md')), /expected an \.onnx file/);
});

test('loadModelFile loads a tfjs graph model, differentiable through fromGraphModel', async () => {
  await useBackend();
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-graph-'));
  try {
    // y = relu(x · W) as a GraphDef in tfjs' graph-model JSON.
    const w = Float32Array.from([1, -2, 0.5, 3, -1, 2]);
    const topology = {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '3' }] } } } },
        { name: 'W', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }, { size: '2' }] } } } } },
        { name: 'mm', op: 'MatMul', input: ['x', 'W'], attr: { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } } },
        { name: 'y', op: 'Relu', input: ['mm'], attr: { T: { type: 'DT_FLOAT' } } },
      ],
      versions: { producer: 1 },
    };
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
      format: 'graph-model', modelTopology: topology,
      weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'W', shape: [3, 2], dtype: 'float32' }] }],
    }));
    writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(w.buffer));
    const model = await loadModelFile(dir);
    assert.deepEqual(model.inputShape, [3]);
    assert.deepEqual(model.outputShape, [2]);
    const x = tf.tensor2d([[1, 1, 1]]);
    const s = await saliency(model, x, { target: 1, mode: 'signed' });
    // y1 = relu(-2 + 3 + 2) = 3 > 0, so ∂y1/∂x = W[:, 1].
    assert.deepEqual(Array.from(await s.values.data()), [-2, 3, 2]);
    const captured = tf.tidy(() => model.run(x, { capture: ['mm'] }).captured.mm.arraySync());
    assert.deepEqual(captured, [[0.5, 3]]);
    // gradient rules would be silently ignored by GraphModel.execute: refused instead
    await assert.rejects(deepLift(model, x, { target: 1 }), (e: unknown) => e instanceof LumenError && e.code === 'model' && /graph models/.test(e.message));
    s.dispose();
    x.dispose();
    model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
