import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { gradientShap } from '../../../src/attribution/gradient/gradient-shap.js';
import { interiorGradients } from '../../../src/attribution/gradient/interior-gradients.js';
import { saliency } from '../../../src/attribution/gradient/saliency.js';
import { useBackend } from '../../../src/engine/backend.js';
import { linearModel, maxAbsDiff, tanhMlp } from '../../toy-models.js';

const W = [[1, -1], [2, 0.5], [-3, 1]];

test('gradientShap(linear) with one baseline and no noise is (x − b) ⊙ w, with zero delta', async () => {
  await useBackend();
  const { model } = linearModel(W, [0.5, -0.5]);
  const x = tf.tensor2d([[1, 2, 3], [-1, 0, 2]]);
  const b = tf.tensor2d([[0.5, 0.5, 0.5]]);
  const attr = await gradientShap(model, x, { target: [0, 1], baselines: b, samples: 7 });
  const expected = [0.5 * 1, 1.5 * 2, 2.5 * -3, -1.5 * -1, -0.5 * 0.5, 1.5 * 1];
  assert.ok((await maxAbsDiff(attr.values, expected)) < 1e-5);
  for (const d of attr.meta.delta ?? []) assert.ok(Math.abs(d) < 1e-5);
  attr.dispose();
  tf.dispose([x, b]);
});

test('gradientShap(linear) over a baseline distribution tends to (x − E b) ⊙ w', async () => {
  await useBackend();
  const { model } = linearModel(W);
  const x = tf.tensor2d([[1, 2, 3]]);
  const dist = tf.tensor2d([[0, 0, 0], [2, 2, 2]]);
  const attr = await gradientShap(model, x, { target: 0, baselines: dist, samples: 4000, seed: 3 });
  const expected = [0 * 1, 1 * 2, 2 * -3];
  assert.ok((await maxAbsDiff(attr.values, expected)) < 0.15);
  attr.dispose();
  tf.dispose([x, dist]);
});

test('gradientShap is reproducible with a seed', async () => {
  await useBackend();
  const { model } = tanhMlp(21);
  const x = tf.tensor2d([[1, 2, 3, 4]]);
  const dist = tf.randomNormal([5, 4], 0, 1, 'float32', 9);
  const a = await gradientShap(model, x, { target: 0, baselines: dist, stdev: 0.2, seed: 5 });
  const b = await gradientShap(model, x, { target: 0, baselines: dist, stdev: 0.2, seed: 5 });
  assert.equal(await maxAbsDiff(a.values, b.values), 0);
  [a, b].forEach((r) => r.dispose());
  tf.dispose([x, dist]);
});

test('gradientShap with input noise does not depend on the batch size (noise drawn in row order, batch by batch)', async () => {
  await useBackend();
  const { model } = tanhMlp(22);
  const x = tf.tensor2d([[1, 2, 3, 4], [-1, 0.5, 0, 2]]);
  const dist = tf.randomNormal([5, 4], 0, 1, 'float32', 10);
  const run = (batchSize: number) => gradientShap(model, x, { target: [0, 1], baselines: dist, stdev: 0.3, samples: 9, seed: 6, batchSize });
  const [one, small] = [await run(64), await run(4)];
  assert.equal(one.meta.modelCalls, 1);
  assert.equal(small.meta.modelCalls, 5);
  assert.ok((await maxAbsDiff(one.values, small.values)) < 1e-6);
  const noiseless = await gradientShap(model, x, { target: [0, 1], baselines: dist, stdev: 0, samples: 9, seed: 6 });
  assert.ok((await maxAbsDiff(one.values, noiseless.values)) > 1e-3, 'the noise changes the result');
  [one, small, noiseless].forEach((r) => r.dispose());
  tf.dispose([x, dist]);
});

test('interiorGradients with scale 1 is the gradient at x, and on a linear model the weights', async () => {
  await useBackend();
  const { model } = tanhMlp(22);
  const x = tf.tensor2d([[1, -2, 0.5, 0]]);
  const interior = await interiorGradients(model, x, { target: 2, scale: 1 });
  const plain = await saliency(model, x, { target: 2, mode: 'signed' });
  assert.ok((await maxAbsDiff(interior.values, plain.values)) < 1e-6);
  const lin = linearModel(W).model;
  const y = tf.tensor2d([[4, 4, 4]]);
  const li = await interiorGradients(lin, y, { target: 1, scale: 0.2 });
  assert.ok((await maxAbsDiff(li.values, [-1, 0.5, 1])) < 1e-6);
  [interior, plain, li].forEach((r) => r.dispose());
  tf.dispose([x, y]);
});
