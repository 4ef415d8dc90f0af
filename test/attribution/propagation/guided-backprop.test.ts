import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { deconvolution } from '../../../src/attribution/propagation/deconvolution.js';
import { guidedBackprop } from '../../../src/attribution/propagation/guided-backprop.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { fromFunction } from '../../../src/models/from-function.js';
import { fromLayersModel } from '../../../src/models/from-layers-model.js';
import { maxAbsDiff } from '../../toy-models.js';

const W1 = [[1, -2, 0.5], [-1, 1, 2]]; // 2 → 3
const W2 = [[1, -1], [-2, 1], [0.5, 3]]; // 3 → 2

/** x → relu(x W1) W2, with the ReLU fused into the first dense layer or as its own layer. */
function reluMlp(fused: boolean): tf.LayersModel {
  const m = tf.sequential();
  const d1 = tf.layers.dense({ units: 3, inputShape: [2], useBias: false, activation: fused ? 'relu' : 'linear', name: 'fc1' });
  m.add(d1);
  if (!fused) m.add(tf.layers.reLU({ name: 'relu' }));
  const d2 = tf.layers.dense({ units: 2, useBias: false, name: 'fc2' });
  m.add(d2);
  d1.setWeights([tf.tensor2d(W1)]);
  d2.setWeights([tf.tensor2d(W2)]);
  return m;
}

/** The closed forms: guided = W1 (relu(W2[:, c]) ⊙ [h > 0]); deconvnet = W1 relu(W2[:, c]). */
function closedForms(x: number[], c: number): { guided: number[]; deconv: number[] } {
  const h = [0, 1, 2].map((j) => x[0] * W1[0][j] + x[1] * W1[1][j]);
  const up = [0, 1, 2].map((j) => Math.max(0, W2[j][c]));
  const guidedHidden = up.map((u, j) => (h[j] > 0 ? u : 0));
  const back = (v: number[]): number[] => [0, 1].map((i) => v.reduce((s, vj, j) => s + vj * W1[i][j], 0));
  return { guided: back(guidedHidden), deconv: back(up) };
}

for (const fused of [false, true]) {
  test(`guided backprop and deconvnet match their closed forms on a ReLU MLP (${fused ? 'fused' : 'separate'} ReLU)`, async () => {
    await useBackend();
    const layers = reluMlp(fused);
    const model = fromLayersModel(layers);
    const xs = [[1, 0.5], [-0.5, 2]];
    const x = tf.tensor2d(xs);
    const before = tf.memory().numTensors;
    const targets = [0, 1];
    const g = await guidedBackprop(model, x, { target: targets });
    const d = await deconvolution(model, x, { target: targets });
    const gv = await g.values.array() as number[][];
    const dv = await d.values.array() as number[][];
    xs.forEach((row, i) => {
      const { guided, deconv } = closedForms(row, targets[i]);
      guided.forEach((v, k) => assert.ok(Math.abs(gv[i][k] - v) < 1e-5, `guided[${i}][${k}] = ${gv[i][k]}, expected ${v}`));
      deconv.forEach((v, k) => assert.ok(Math.abs(dv[i][k] - v) < 1e-5, `deconv[${i}][${k}] = ${dv[i][k]}, expected ${v}`));
    });
    g.dispose();
    d.dispose();
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    x.dispose();
    layers.dispose();
  });
}

test('guided backprop on a model without ReLUs is the gradient; with a layer option it is at that layer', async () => {
  await useBackend();
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 3, inputShape: [2], activation: 'tanh', name: 'fc1', kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }) }));
  m.add(tf.layers.dense({ units: 2, name: 'fc2', kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }) }));
  const model = fromLayersModel(m);
  const x = tf.tensor2d([[0.3, -0.7]]);
  const g = await guidedBackprop(model, x, { target: 1 });
  const plain = tf.grad((v: tf.Tensor) => tf.sum((m.predict(v) as tf.Tensor).slice([0, 1], [-1, 1])))(x);
  assert.ok((await maxAbsDiff(g.values, plain)) < 1e-6);
  const atLayer = await guidedBackprop(model, x, { target: 1, layer: 'fc1' });
  assert.deepEqual(atLayer.values.shape, [1, 3]);
  tf.dispose([x, plain]);
  g.dispose();
  atLayer.dispose();
  m.dispose();
});

test('guided backprop refuses a black box and an unknown layer with a LumenError', async () => {
  await useBackend();
  const box = fromFunction((x) => tf.softmax(x), { inputShape: [3], outputShape: [3] });
  const x = tf.ones([1, 3]);
  await assert.rejects(guidedBackprop(box, x, { target: 0 }), (e: unknown) => e instanceof LumenError && e.code === 'not-differentiable');
  const layers = reluMlp(true);
  const x2 = tf.ones([1, 2]);
  await assert.rejects(deconvolution(fromLayersModel(layers), x2, { target: 0, layer: 'nope' }), (e: unknown) => e instanceof LumenError && e.code === 'layer');
  tf.dispose([x, x2]);
  layers.dispose();
});
