import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { datasetFromArrays } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { useBackend } from '../../src/engine/backend.js';
import { wachterCounterfactual } from '../../src/counterfactual/wachter-counterfactual.js';
import { fromDifferentiable } from '../../src/models/from-differentiable.js';
import { fromFunction } from '../../src/models/from-function.js';
import { penguinFixture } from '../local-rules/penguin-fixture.js';

const w = [1, 2, 0.5];
const linear = (x: tf.Tensor): tf.Tensor => tf.tidy(() => {
  const s = x.matMul(tf.tensor2d(w, [3, 1])).sub(1);
  return tf.concat([tf.zerosLike(s), s], 1);
});
const rng = new Rng(3);
// column spreads 1, 0.5, 4: the MAD-scaled cost of a unit of logit is 1/(|w_j|·MAD_j), least for column 2
const rows = Array.from({ length: 300 }, () => [rng.uniform() * 2 - 1, (rng.uniform() * 2 - 1) * 0.5, (rng.uniform() * 2 - 1) * 4]);

test("wachterCounterfactual of a linear model changes only the column of largest |w|·MAD and reaches the target (gradients and black box)", async () => {
  await useBackend();
  for (const model of [fromDifferentiable(linear, { inputShape: [3], outputShape: [2] }), fromFunction(linear, { inputShape: [3], outputShape: [2] })]) {
  const x = tf.tensor2d([[0, 0, 0]]);
  const before = tf.memory().numTensors;
  const cf = await wachterCounterfactual(model, datasetFromArrays(rows), x, { target: 1 });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(cf.kind, 'attack');
  assert.deepEqual(cf.originalPredictions, [0]);
  assert.deepEqual(cf.predictions, [1]);
  assert.deepEqual((cf.meta?.changed as string[][])[0], ['x2']);
  const moved = cf.inputs[2];
  // the λ bisection keeps the closest counterfactual: just past the boundary 0.5·x2 = 1, not λ ×10's overshoot
  assert.ok(moved * w[2] > 1 && moved < 2.2, `x2 moved to ${moved}: just past the boundary w·x = 1`);
  assert.deepEqual(cf.meta?.success, [true]);
  const tried = (cf.meta?.lambdasTried as number[][])[0];
  assert.equal(tried.length, 10);
  assert.ok(tried.some((l, i) => i > 0 && l < tried[i - 1]), `λ is bisected after the first success: ${tried}`);
  x.dispose();
  }
});

test('wachterCounterfactual holds immutable columns and ranges; bad options are LumenErrors', async () => {
  await useBackend();
  const model = fromFunction(linear, { inputShape: [3], outputShape: [2] });
  const x = tf.tensor2d([[0, 0, 0]]);
  const cf = await wachterCounterfactual(model, datasetFromArrays(rows), x, { target: 1, immutable: [2] });
  assert.equal(cf.inputs[2], 0);
  assert.deepEqual(cf.predictions, [1]);
  assert.ok(cf.inputs[0] <= 1 && cf.inputs[1] <= 0.5 + 1e-6, 'inside the data range');
  await assert.rejects(wachterCounterfactual(model, datasetFromArrays(rows), x, { immutable: [7] }), (e: unknown) => e instanceof LumenError && /immutable column must be in \[0, 2\]/.test(e.message));
  const wrong = tf.tensor2d([[0, 0]]);
  await assert.rejects(wachterCounterfactual(model, datasetFromArrays(rows), wrong), (e: unknown) => e instanceof LumenError && /rows must be \[N, 3\]/.test(e.message));
  tf.dispose([x, wrong]);
});


test('wachterCounterfactual reaches the target class for every held-out penguin (bundled model, the other two classes)', async () => {
  await useBackend();
  const f = await penguinFixture();
  const d = 9;
  const rows = f.heldOut.slice(0, 8 * d);
  const x = tf.tensor2d(rows, [8, d]);
  const before = tf.memory().numTensors;
  const cf = await wachterCounterfactual(f.model, f.train, x, { steps: 100 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(cf.meta?.success, new Array(8).fill(true));
  assert.deepEqual(cf.predictions, cf.meta?.target);
  cf.originalPredictions.forEach((p, i) => assert.notEqual(p, cf.predictions[i]));
  for (let i = 0; i < 8; i++) for (let j = 4; j < d; j++) assert.equal(cf.inputs[i * d + j], rows[i * d + j], 'one-hot columns held');
  x.dispose();
  f.dispose();
});
