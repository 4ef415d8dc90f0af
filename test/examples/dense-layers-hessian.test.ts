/**
 * The layer-wise exact Hessian of several dense layers (dense-layers-hessian.ts) against the generic
 * route (P Hessian-vector products): the wave-2 tanh MLP (both layers), the bundled penguins MLP
 * (first and last of three layers, so the cross term runs through an unselected layer) and the PyTorch ONNX export test/fixtures/mlp.onnx (Gemm kernels [out, in]).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { datasetFromTensors, type Dataset } from '../../src/core/dataset.js';
import type { Model } from '../../src/core/model.js';
import { useBackend } from '../../src/engine/backend.js';
import { bundledDataset } from '../../src/data/dataset-files.js';
import { denseLayersHessian } from '../../src/examples/dense-layers-hessian.js';
import { hessianByProducts } from '../../src/examples/influence-function.js';
import { selectParameters } from '../../src/examples/per-example-gradients.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { loadFixture } from '../../src/models/fixture.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { loadOnnx } from '../../src/models/onnx/load-onnx.js';
import { repoPath } from '../helpers.js';

await useBackend();

/** max |a − b| / max |b|. */
function relative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

async function compare(model: Model, data: Dataset, layers: string[], batchSize: number): Promise<number> {
  const params = selectParameters(model, { layers }, 'test');
  const before = tf.memory().numTensors;
  const fast = await denseLayersHessian(model, params, data, 'cross-entropy', { batchSize }, 'test');
  assert.equal(tf.memory().numTensors, before, `${layers}: no tensor leaks`);
  assert.ok(fast, `the layer-wise route applies to ${layers.join(',')}`);
  const slow = await hessianByProducts(model, params, data, { batchSize });
  assert.equal(fast.length, slow.length);
  return relative(fast, slow);
}

test('layer-wise Hessian of several dense layers equals P Hessian-vector products (tanh MLP; penguins MLP with a skipped layer)', async () => {
  const fx = loadFixture(repoPath('test', 'fixtures', 'wave2', 'examples_tanh_mlp.json'));
  const d = fx.json.dataset as { X_train: { data: number[][] }; y_train: number[] };
  const x = tf.tensor2d(d.X_train.data);
  const y = tf.tensor1d(d.y_train, 'int32');
  const { model: layers } = await loadBundledModel('penguins');
  const penguins = fromLayersModel(layers);
  try {
    const rel = await compare(fx.model, datasetFromTensors(x, y), ['fc1', 'fc2'], 13);
    assert.ok(rel < 1e-5, `tanh MLP: ${rel}`);
    const data = bundledDataset('penguins', 40);
    const skip = await compare(penguins, data, ['dense1', 'logits'], 16);
    assert.ok(skip < 1e-5, `penguins dense1 + logits: ${skip}`);
    const one = selectParameters(penguins, { layers: ['logits'] }, 'test');
    assert.equal(await denseLayersHessian(penguins, one, data, 'cross-entropy', {}, 'test'), null, 'one layer: the Kronecker route of linear-layer-hessian.ts');
    const bias = selectParameters(penguins, { layers: ['dense1', 'logits'] }, 'test').filter((p) => p.layer === 'logits' || p.role === 'bias');
    assert.equal(await denseLayersHessian(penguins, bias, data, 'cross-entropy', {}, 'test'), null, 'a layer with only its bias: the generic route');
  } finally {
    tf.dispose([x, y]);
    layers.dispose();
    fx.dispose();
  }
});

test('layer-wise Hessian on a PyTorch ONNX export (three Gemm layers, kernels [out, in]) equals the generic route', async () => {
  const fx = loadFixture(repoPath('test', 'fixtures', 'mlp.json'));
  const onnx = await loadOnnx(repoPath('test', 'fixtures', 'mlp.onnx'));
  const x = fx.inputs;
  const y = tf.tensor1d(Array.from({ length: x.shape[0] }, (_, i) => i % 3), 'int32');
  try {
    const names = [...new Set((onnx.parameters ?? []).map((p) => p.layer))];
    const rel = await compare(onnx, datasetFromTensors(x, y), names, 8);
    assert.ok(rel < 1e-5, `ONNX MLP: ${rel}`);
  } finally {
    y.dispose();
    onnx.dispose();
    fx.dispose();
  }
});
