import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { LumenError } from '../../src/core/errors.js';
import { forEachCheckpoint, snapshotCheckpoint, disposeCheckpoint } from '../../src/core/checkpoint.js';
import { loadFixture } from '../../src/models/fixture.js';
import { loadOnnx } from '../../src/models/onnx/load-onnx.js';
import { fromDifferentiable } from '../../src/models/from-differentiable.js';
import { perExampleGradients } from '../../src/examples/per-example-gradients.js';
import { perExampleLoss } from '../../src/examples/example-loss.js';
import { batchHessianVectorProduct } from '../../src/examples/hessian-vector-product.js';
import { repoPath } from '../helpers.js';

await useBackend();

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The reference: each example's gradient by its own tf.grads call (a loop, acceptable in a test only). */
function loopGradients(model: ReturnType<typeof loadFixture>['model'], x: tf.Tensor, y: tf.Tensor): Float32Array {
  const params = model.parameters ?? [];
  const rows: number[] = [];
  for (let i = 0; i < x.shape[0]; i++) {
    const g = tf.tidy(() => {
      const xi = x.slice(i, 1);
      const yi = y.slice(i, 1);
      const f = (...vs: tf.Tensor[]): tf.Scalar => tf.sum(perExampleLoss(model, model.run(xi, { params: Object.fromEntries(params.map((p, k) => [p.name, vs[k]])) }).output, yi));
      return tf.concat(tf.grads(f)(params.map((p) => p.value)).map((t) => t.reshape([-1])));
    });
    rows.push(...g.dataSync());
    g.dispose();
  }
  return Float32Array.from(rows);
}

test('fromLayersModel exposes each Dense kernel [in, out] and bias, in layer order, as tf.Variables that setParameters assigns', () => {
  const fx = loadFixture(repoPath('test', 'fixtures', 'mlp.json'));
  try {
    const params = fx.model.parameters ?? [];
    assert.deepEqual(params.map((p) => `${p.name}:${p.role}:${p.shape.join('x')}`), ['fc1/kernel:kernel:6x16', 'fc1/bias:bias:16', 'fc2/kernel:kernel:16x12', 'fc2/bias:bias:12', 'fc3/kernel:kernel:12x3', 'fc3/bias:bias:3']);
    const before = params[0].value.dataSync().slice();
    const zero = tf.zeros([6, 16]);
    fx.model.setParameters?.({ 'fc1/kernel': zero });
    assert.equal(maxDiff(params[0].value.dataSync(), new Float32Array(96)), 0);
    const back = tf.tensor(before, [6, 16]);
    fx.model.setParameters?.({ 'fc1/kernel': back });
    assert.equal(maxDiff(params[0].value.dataSync(), before), 0);
    tf.dispose([zero, back]);
  } finally {
    fx.dispose();
  }
});

test('per-example gradients (one backward pass) equal per-example tf.grads, for the layers model and its ONNX import, without leaks', async () => {
  const fx = loadFixture(repoPath('test', 'fixtures', 'mlp.json'));
  const onnx = await loadOnnx(repoPath('test', 'fixtures', 'mlp.onnx'));
  try {
    const x = fx.inputs;
    const y = tf.tensor1d(Array.from({ length: x.shape[0] }, (_, i) => i % 3), 'int32');
    const before = tf.memory().numTensors;
    const g = perExampleGradients(fx.model, x, y);
    assert.equal(g.shape[1], 6 * 16 + 16 + 16 * 12 + 12 + 12 * 3 + 3);
    const ref = loopGradients(fx.model, x, y);
    assert.ok(maxDiff(g.dataSync(), ref) < 1e-5, 'layers model');
    const only = perExampleGradients(fx.model, x, y, { layers: ['fc3'] });
    assert.equal(only.shape[1], 39);
    const tail = g.slice([0, g.shape[1] - 39], [-1, 39]);
    assert.ok(maxDiff(only.dataSync(), tail.dataSync()) < 1e-6, 'layer selection');
    tail.dispose();
    tf.dispose(only);
    assert.equal(tf.memory().numTensors, before + 1, 'no tensor leaks (g is kept for the ONNX comparison)');
    // ONNX: Gemm kernels are stored [out, in] (transB): the same numbers transposed.
    const op = onnx.parameters ?? [];
    assert.equal(op.length, 6);
    assert.deepEqual(op.map((p) => p.role), ['kernel-out-in', 'bias', 'kernel-out-in', 'bias', 'kernel-out-in', 'bias']);
    const og = perExampleGradients(onnx, x, y);
    const oref = loopGradients(onnx, x, y);
    assert.ok(maxDiff(og.dataSync(), oref) < 1e-5, 'ONNX model');
    const t = tf.tidy(() => tf.transpose(og.slice([0, 0], [-1, 96]).reshape([-1, 16, 6]), [0, 2, 1]).reshape([-1, 96]));
    assert.ok(maxDiff(t.dataSync(), g.slice([0, 0], [-1, 96]).dataSync()) < 1e-5, 'same gradients as the layers model');
    tf.dispose([g, og, t, y]);
  } finally {
    onnx.dispose();
    fx.dispose();
  }
});

test('ONNX setParameters changes what run computes and frees the copies on dispose', async () => {
  const onnx = await loadOnnx(repoPath('test', 'fixtures', 'mlp.onnx'));
  const x = tf.ones([2, 6]);
  const before = await (await onnx.predict(x)).data();
  const ckpt = snapshotCheckpoint(onnx);
  const bias = onnx.parameters?.find((p) => p.name.endsWith('bias') && p.shape[0] === 3);
  assert.ok(bias);
  const shifted = tf.add(bias.value, 1);
  onnx.setParameters?.({ [bias.name]: shifted });
  const after = await (await onnx.predict(x)).data();
  assert.ok(Math.abs(after[0] - before[0] - 1) < 1e-5, 'the output bias moved every logit by 1');
  onnx.setParameters?.(ckpt.parameters);
  assert.ok(maxDiff(await (await onnx.predict(x)).data(), before) < 1e-6);
  tf.dispose([shifted, x]);
  disposeCheckpoint(ckpt);
  onnx.dispose();
});

test('forEachCheckpoint restores the parameters, also when the callback throws', async () => {
  const fx = loadFixture(repoPath('test', 'fixtures', 'mlp.json'));
  try {
    const orig = fx.model.parameters?.[0].value.dataSync().slice() as Float32Array;
    const zero = snapshotCheckpoint(fx.model, 0.5);
    for (const t of Object.values(zero.parameters)) (t as tf.Tensor).dispose();
    const zeros = { parameters: Object.fromEntries((fx.model.parameters ?? []).map((p) => [p.name, tf.zeros(p.shape as number[])])), learningRate: 0.5 };
    await assert.rejects(forEachCheckpoint(fx.model, [zeros], async () => {
      assert.equal(maxDiff(fx.model.parameters?.[0].value.dataSync() ?? [], new Float32Array(orig.length)), 0);
      throw new Error('boom');
    }), /boom/);
    assert.equal(maxDiff(fx.model.parameters?.[0].value.dataSync() ?? [], orig), 0);
    disposeCheckpoint(zeros);
  } finally {
    fx.dispose();
  }
});

test('bad parameters, unknown layers and parameter-less models are LumenErrors that say what was expected', () => {
  const fx = loadFixture(repoPath('test', 'fixtures', 'mlp.json'));
  const x = tf.ones([2, 6]);
  const y = tf.tensor1d([0, 1], 'int32');
  try {
    assert.throws(() => fx.model.setParameters?.({ 'nope/kernel': x }), (e: unknown) => e instanceof LumenError && /no parameter 'nope\/kernel'/.test(e.message));
    assert.throws(() => fx.model.run(x, { params: { 'fc1/kernel': x } }), (e: unknown) => e instanceof LumenError && /shape \[6,16\]; found \[2,6\]/.test(e.message));
    assert.throws(() => perExampleGradients(fx.model, x, y, { layers: ['relu1'] }), (e: unknown) => e instanceof LumenError && /'relu1' has no parameters/.test(e.message));
    const fn = fromDifferentiable((t) => t, { inputShape: [6], outputShape: [6] });
    assert.throws(() => perExampleGradients(fn, x, y), (e: unknown) => e instanceof LumenError && /exposes no parameters/.test(e.message));
    assert.throws(() => perExampleGradients(fx.model, x, tf.tensor1d([0, 1, 2])), (e: unknown) => e instanceof LumenError && /labels must be class indices \[2\]/.test(e.message));
  } finally {
    tf.dispose([x, y]);
    fx.dispose();
  }
});

test('Hessian-vector products by double backprop are exact through tanh and softmax cross-entropy (tfjs drops saved-output paths without the engine patch)', () => {
  // f(w) = CE(softmax(tanh(x w)), y) for one row; compare H v with central differences of the gradient in float64-like steps.
  const model = fromDifferentiable((t) => t, { inputShape: [3], outputShape: [3] });
  const fx = loadFixture(repoPath('test', 'fixtures', 'wave2', 'examples_tanh_mlp.json'));
  try {
    const params = (fx.model.parameters ?? []).filter((p) => p.layer === 'fc1');
    const x = fx.inputs.slice(0, 4);
    const y = tf.tensor1d([1, 0, 0, 1], 'int32');
    const p = 56;
    const v = tf.tidy(() => tf.randomNormal([p], 0, 1, 'float32', 7)) as tf.Tensor1D;
    const hv = batchHessianVectorProduct(fx.model, params, x, y, 'cross-entropy', v);
    const grad = (eps: number): Float32Array => tf.tidy(() => {
      const parts = tf.split(v, [48, 8]);
      const vs = params.map((q, i) => tf.add(q.value, tf.mul(parts[i].reshape(q.shape as number[]), eps)));
      const f = (...ws: tf.Tensor[]): tf.Scalar => tf.sum(perExampleLoss(fx.model, fx.model.run(x, { params: Object.fromEntries(params.map((q, i) => [q.name, ws[i]])) }).output, y));
      return tf.concat(tf.grads(f)(vs).map((g) => g.reshape([-1])));
    }).dataSync() as Float32Array;
    const h = 1e-2;
    const plus = grad(h);
    const minus = grad(-h);
    const fd = plus.map((a, i) => (a - minus[i]) / (2 * h));
    const got = hv.dataSync();
    const scale = Math.max(...Array.from(got, Math.abs));
    assert.ok(maxDiff(got, fd) < 2e-3 * scale + 1e-4, `HVP vs finite differences: ${maxDiff(got, fd)} (scale ${scale})`);
    tf.dispose([x, y, v, hv]);
    model.dispose?.();
  } finally {
    fx.dispose();
  }
});
