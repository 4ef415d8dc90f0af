import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { saliency } from '../../../src/attribution/gradient/saliency.js';
import { inputXGradient } from '../../../src/attribution/gradient/input-x-gradient.js';
import { useBackend } from '../../../src/engine/backend.js';
import { linearModel, maxAbsDiff, tanhMlp } from '../../toy-models.js';

test('saliency(linear, x) is the weight column of the target, in every mode', async () => {
  await useBackend();
  const { model } = linearModel([[5, 1], [-2, 0], [0.5, 3]]);
  const input = tf.tensor2d([[1, 2, 3]]);
  const signed = await saliency(model, input, { target: 0, mode: 'signed' });
  const abs = await saliency(model, input, { target: 0 });
  const sq = await saliency(model, input, { target: 0, mode: 'squared' });
  assert.deepEqual(Array.from(await signed.values.data()), [5, -2, 0.5]);
  assert.deepEqual(Array.from(await abs.values.data()), [5, 2, 0.5]);
  assert.deepEqual(Array.from(await sq.values.data()), [25, 4, 0.25]);
  [signed, abs, sq].forEach((a) => a.dispose());
  input.dispose();
});

test('saliency of f = Σ x² is 2x with a target function', async () => {
  await useBackend();
  const { model } = linearModel([[1], [1], [1]]);
  const input = tf.tensor2d([[1, -2, 3], [0.5, 0, -1]]);
  // the target squares the linear output: d(s²)/dx = 2 s w
  const attr = await saliency(model, input, { target: (y) => y.reshape([-1]).square(), mode: 'signed' });
  const expected = [2 * 2, 2 * 2, 2 * 2, 2 * -0.5, 2 * -0.5, 2 * -0.5];
  assert.ok((await maxAbsDiff(attr.values, expected)) < 1e-6);
  assert.equal(attr.target, null);
  attr.dispose();
  input.dispose();
});

test("saliency with a layer is the gradient with respect to that layer's output", async () => {
  await useBackend();
  const { model, layers } = tanhMlp(7);
  const input = tf.tensor2d([[1, 0, -1, 2]]);
  const attr = await saliency(model, input, { target: 1, layer: 'tanh', mode: 'signed' });
  const w2 = layers.getLayer('fc2').getWeights()[0];
  assert.ok((await maxAbsDiff(attr.values, w2.slice([0, 1], [8, 1]).reshape([1, 8]))) < 1e-6);
  attr.dispose();
  input.dispose();
});

test('layer gradient × activation through inputXGradient equals activation ⊙ layer gradient', async () => {
  await useBackend();
  const { model } = tanhMlp(8);
  const input = tf.tensor2d([[0.2, -1, 1, 0.5]]);
  const ga = await inputXGradient(model, input, { target: 0, layer: 'fc1' });
  const g = await saliency(model, input, { target: 0, layer: 'fc1', mode: 'signed' });
  const a = model.run(input, { capture: ['fc1'] }).captured.fc1;
  assert.ok((await maxAbsDiff(ga.values, g.values.mul(a))) < 1e-6);
  ga.dispose();
  g.dispose();
  input.dispose();
});
