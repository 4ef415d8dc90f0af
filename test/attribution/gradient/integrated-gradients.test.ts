import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { integratedGradients } from '../../../src/attribution/gradient/integrated-gradients.js';
import { inputXGradient } from '../../../src/attribution/gradient/input-x-gradient.js';
import { PATH_RULES } from '../../../src/core/path-weights.js';
import { useBackend } from '../../../src/engine/backend.js';
import { countingModel, linearModel, maxAbsDiff, tanhMlp } from '../../toy-models.js';

const W = [[1, -2, 0.5], [3, 0.25, -1], [-0.5, 1, 2], [2, -3, 1]];
const x = (): tf.Tensor => tf.tensor2d([[1, 2, -1, 0.5], [-2, 0.5, 3, 1]]);

for (const rule of PATH_RULES) {
  test(`integratedGradients(linear, x, {rule: '${rule}'}) is (x − b) ⊙ w`, async () => {
    await useBackend();
    const { model } = linearModel(W, [0.1, 0.2, 0.3]);
    const input = x();
    const baseline = tf.tensor1d([0.5, -1, 0, 2]);
    const target = [0, 2];
    const attr = await integratedGradients(model, input, { target, baseline, rule, steps: 7 });
    const expected = tf.tidy(() => input.sub(baseline).mul(tf.tensor2d(W).gather(target, 1).transpose()));
    // Riemann rules other than the trapezoid weigh the path exactly; Captum's trapezoid sums to (n−1)/n.
    const factor = rule === 'riemann-trapezoid' ? 6 / 7 : 1;
    assert.ok((await maxAbsDiff(attr.values, expected.mul(factor))) < 1e-5);
    tf.dispose([input, baseline, expected]);
    attr.dispose();
  });
}

test('integratedGradients(model, x) sums to f(x) − f(baseline) within the reported delta', async () => {
  await useBackend();
  const { model } = tanhMlp(3);
  const input = tf.tensor2d([[1, -1, 0.5, 2], [0.3, 0.2, -2, 1]]);
  const attr = await integratedGradients(model, input, { target: [0, 1], steps: 64, rule: 'gauss-legendre' });
  const out = await model.predict(input);
  const zero = await model.predict(tf.zerosLike(input));
  const fx = await out.data();
  const fb = await zero.data();
  const sums = await attr.values.sum(1).data();
  const delta = attr.meta.delta ?? [];
  [0, 1].forEach((c, i) => {
    const gap = sums[i] - (fx[i * 3 + c] - fb[i * 3 + c]);
    assert.ok(Math.abs(gap - delta[i]) < 1e-5, `delta ${delta[i]} is the gap ${gap}`);
    assert.ok(Math.abs(delta[i]) < 1e-3, `converged: |delta| = ${Math.abs(delta[i])}`);
  });
  tf.dispose([input, out, zero]);
  attr.dispose();
});

test('one right-Riemann step from a zero baseline is input × gradient', async () => {
  await useBackend();
  const { model } = tanhMlp(5);
  const input = x();
  const ig = await integratedGradients(model, input, { target: 1, steps: 1, rule: 'riemann-right' });
  const ixg = await inputXGradient(model, input, { target: 1 });
  assert.ok((await maxAbsDiff(ig.values, ixg.values)) < 1e-6);
  ig.dispose();
  ixg.dispose();
  input.dispose();
});

test('50 IG steps with batchSize 16 make 4 model calls', async () => {
  await useBackend();
  const spy = countingModel(tanhMlp(1).model);
  const input = tf.tensor2d([[1, 2, 3, 4]]);
  const attr = await integratedGradients(spy.model, input, { target: 0, steps: 50, batchSize: 16 });
  assert.equal(spy.calls(), 4);
  assert.equal(attr.meta.modelCalls, 4);
  attr.dispose();
  input.dispose();
});

test('integratedGradients leaves no tensor behind', async () => {
  await useBackend();
  const { model } = tanhMlp(2);
  const input = x();
  const before = tf.memory().numTensors;
  const attr = await integratedGradients(model, input, { target: 0, steps: 20, batchSize: 7, baseline: 'mean' });
  assert.equal(tf.memory().numTensors, before + 1);
  attr.dispose();
  assert.equal(tf.memory().numTensors, before);
  input.dispose();
});

test('layer integrated gradients sum to f(x) − f(baseline) and have the layer shape', async () => {
  await useBackend();
  const { model } = tanhMlp(4);
  const input = x();
  const attr = await integratedGradients(model, input, { target: 2, layer: 'fc1', steps: 100 });
  assert.deepEqual(attr.values.shape, [2, 8]);
  assert.equal(attr.meta.layer, 'fc1');
  for (const d of attr.meta.delta ?? []) assert.ok(Math.abs(d) < 1e-3);
  attr.dispose();
  input.dispose();
});

test('integratedGradients rejects a baseline of the wrong shape', async () => {
  await useBackend();
  const { model } = tanhMlp(4);
  const input = x();
  await assert.rejects(integratedGradients(model, input, { target: 0, baseline: tf.zeros([3]) }), (e: Error) =>
    e.name === 'LumenError' && /baseline shape \[3\] must be the input's \[2,4\]/.test(e.message));
  input.dispose();
});
