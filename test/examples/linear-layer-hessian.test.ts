/**
 * The Kronecker-form Hessian of one dense layer (linear-layer-hessian.ts) against the generic
 * route (P Hessian-vector products), on the wave-2 tanh MLP (both layers, kernel + bias or one of
 * them), on the PyTorch ONNX export test/fixtures/mlp.onnx (kernels stored [out, in]) and on the
 * bundled MNIST CNN's logits layer (against the closed form of softmax cross-entropy, float64).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { datasetFromTensors } from '../../src/core/dataset.js';
import type { Model } from '../../src/core/model.js';
import { loadFixture } from '../../src/models/fixture.js';
import { loadOnnx } from '../../src/models/onnx/load-onnx.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { bundledDataset } from '../../src/data/dataset-files.js';
import { linearLayerHessian } from '../../src/examples/linear-layer-hessian.js';
import { hessianByProducts, influenceFunction } from '../../src/examples/influence-function.js';
import { selectParameters } from '../../src/examples/per-example-gradients.js';
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

async function compare(model: Model, data: ReturnType<typeof datasetFromTensors>, layers: string[], roles?: string[]): Promise<number> {
  let params = selectParameters(model, { layers }, 'test');
  if (roles) params = params.filter((p) => roles.includes(p.role));
  const fast = await linearLayerHessian(model, params, data, 'cross-entropy', { batchSize: 13 }, 'test');
  assert.ok(fast, `the Kronecker route applies to ${layers.join(',')}`);
  const slow = await hessianByProducts(model, params, data, { batchSize: 13 });
  assert.equal(fast.length, slow.length);
  return relative(fast, slow);
}

test('Kronecker Hessian of one dense layer equals P Hessian-vector products (tanh MLP, every selection), no leaks', async () => {
  const fx = loadFixture(repoPath('test', 'fixtures', 'wave2', 'examples_tanh_mlp.json'));
  const d = fx.json.dataset as { X_train: { data: number[][] }; y_train: number[] };
  const x = tf.tensor2d(d.X_train.data);
  const y = tf.tensor1d(d.y_train, 'int32');
  const data = datasetFromTensors(x, y);
  try {
    const before = tf.memory().numTensors;
    for (const layer of ['fc1', 'fc2']) {
      assert.ok((await compare(fx.model, data, [layer])) < 1e-5, `${layer} kernel + bias`);
      assert.ok((await compare(fx.model, data, [layer], ['kernel'])) < 1e-5, `${layer} kernel`);
      assert.ok((await compare(fx.model, data, [layer], ['bias'])) < 1e-5, `${layer} bias`);
    }
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    const both = selectParameters(fx.model, { layers: ['fc1', 'fc2'] }, 'test');
    assert.equal(await linearLayerHessian(fx.model, both, data, 'cross-entropy', {}, 'test'), null, 'two layers take the generic route');
  } finally {
    tf.dispose([x, y]);
    fx.dispose();
  }
});

test('Kronecker Hessian on a PyTorch ONNX export (Gemm kernels [out, in]) equals the generic route', async () => {
  const fx = loadFixture(repoPath('test', 'fixtures', 'mlp.json'));
  const onnx = await loadOnnx(repoPath('test', 'fixtures', 'mlp.onnx'));
  const x = fx.inputs;
  const y = tf.tensor1d(Array.from({ length: x.shape[0] }, (_, i) => i % 3), 'int32');
  const data = datasetFromTensors(x, y);
  try {
    const last = [...new Set((onnx.parameters ?? []).map((p) => p.layer))].at(-1) as string;
    assert.equal(onnx.parameters?.find((p) => p.layer === last)?.role, 'kernel-out-in');
    assert.ok((await compare(onnx, data, [last])) < 1e-5);
  } finally {
    y.dispose();
    onnx.dispose();
    fx.dispose();
  }
});

test('exact influence on the MNIST CNN logits layer: the Kronecker route equals the closed form (a aᵀ) ⊗ (diag p − p pᵀ)', async () => {
  const { model: layers } = await loadBundledModel('mnist');
  const model = fromLayersModel(layers);
  const rows: tf.Tensor[] = [];
  const labels: tf.Tensor[] = [];
  for await (const b of bundledDataset('mnist', 24).batches(24)) {
    rows.push(b.x);
    labels.push(b.y as tf.Tensor);
  }
  const train = datasetFromTensors(rows[0], labels[0]);
  const test0 = { x: rows[0].slice([0], [3]), y: labels[0].slice([0], [3]) };
  try {
    const params = selectParameters(model, { layers: ['logits'] }, 'test');
    const fast = await linearLayerHessian(model, params, train, 'cross-entropy', { batchSize: 24 }, 'test');
    assert.ok(fast);
    // Closed form, float64: cross-entropy of softmax(z), so G_i = diag(p_i) − p_i p_iᵀ and
    // H = Σ_i (a_i a_iᵀ) ⊗ G_i with a_i the layer's input (Dense kernel [in, out] row-major).
    const run = model.run(rows[0], { perturb: { logits: tf.zeros([24, 10]) } });
    const a = await (run.layerInputs?.logits as tf.Tensor).data();
    const prob = await (model.outputKind === 'probabilities' ? run.output : tf.softmax(run.output)).data();
    tf.dispose([run.output, ...Object.values(run.layerInputs ?? {})]);
    const m = a.length / 24;
    const p = m * 10 + 10;
    assert.equal(fast.length, p * p);
    // 40 rows of H (kernel and bias rows), every column.
    const checked = [0, 1, 7, 64, 100, 333, 511, 639, p - 10, p - 1, ...Array.from({ length: 30 }, (_, i) => 5 + 21 * i)];
    const ref = new Float64Array(checked.length * p);
    const mine = new Float64Array(checked.length * p);
    const unit = (k: number): [number, number] => (k < m * 10 ? [Math.floor(k / 10), k % 10] : [m, k - m * 10]);
    checked.forEach((k, row) => {
      const [c, r] = unit(k);
      for (let j = 0; j < p; j++) {
        const [d, s2] = unit(j);
        let v = 0;
        for (let i = 0; i < 24; i++) {
          const ac = c < m ? a[i * m + c] : 1;
          const ad = d < m ? a[i * m + d] : 1;
          v += ac * ad * ((r === s2 ? prob[i * 10 + r] : 0) - prob[i * 10 + r] * prob[i * 10 + s2]);
        }
        ref[row * p + j] = v;
        mine[row * p + j] = fast[k * p + j];
      }
    });
    assert.ok(relative(mine, ref) < 1e-5, `closed form: ${relative(mine, ref)}`);
    const scores = await influenceFunction(model, train, test0, { layers: ['logits'], batchSize: 24 });
    assert.deepEqual(scores.shape, [3, 24]);
    assert.ok(scores.scores.every(Number.isFinite));
    // Self-influence of a training row on itself is positive (H⁻¹ is positive definite on what is kept).
    for (let i = 0; i < 3; i++) assert.ok(scores.scores[i * 24 + i] > 0, `row ${i}`);
  } finally {
    tf.dispose([...rows, ...labels, test0.x, test0.y]);
    layers.dispose();
  }
});
