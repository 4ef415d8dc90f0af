import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { maskedPlan, scorePerturbations, targetScore } from '../../../src/core/perturbation/perturbation-batcher.js';
import { LumenError } from '../../../src/core/errors.js';
import { classTarget } from '../../../src/core/target.js';
import { useBackend } from '../../../src/engine/backend.js';
import { linearBlackBox } from '../../attribution/perturbation/perturbation-models.js';

test('scorePerturbations sends batchSize rows per model call: 10 rows in batches of 4 is 3 calls, in row order', async () => {
  await useBackend();
  const { model, w, b: bias, calls } = linearBlackBox([2], 1);
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const zeros = tf.zerosLike(x);
  const examples = Int32Array.from({ length: 10 }, (_, r) => r % 2);
  // row r keeps feature r % 2 only when r < 5, nothing otherwise
  const plan = maskedPlan(x, zeros, examples, [2], (r, m) => {
    m.fill(0);
    if (r < 5) m[r % 2] = 1;
  });
  const before = tf.memory().numTensors;
  const sizes: number[] = [];
  const { scores, calls: made } = await scorePerturbations(model, plan, targetScore(classTarget([0, 0])), 4, { onProgress: (p) => sizes.push(p.done) }, 'test');
  assert.equal(tf.memory().numTensors, before, 'no tensor of a batch survives it');
  assert.equal(made, 3);
  assert.equal(calls(), 3);
  assert.deepEqual(sizes, [4, 8, 10]);
  const xs = [[1, 2], [3, 4]];
  const b = bias[0];
  for (let r = 0; r < 10; r++) {
    const e = r % 2;
    const kept = r < 5 ? xs[e][r % 2] * w[r % 2] : 0;
    assert.ok(Math.abs(scores[r] - (kept + b)) < 1e-5, `row ${r}`);
  }
  tf.dispose([x, zeros]);
});

test('scorePerturbations reads each row\'s predicted class (arg-max output) along with its score', async () => {
  await useBackend();
  const { model } = linearBlackBox([3], 4, 9);
  const x = tf.tensor2d([[1, -2, 0.5], [0, 3, -1], [2, 2, 2]]);
  const y = await model.predict(x);
  const out = (await y.array()) as number[][];
  y.dispose();
  const expected = out.map((row) => row.indexOf(Math.max(...row)));
  const plan = { examples: Int32Array.of(0, 1, 2), build: (s: number, e: number) => x.slice([s], [e - s]) };
  const { predicted, scores } = await scorePerturbations(model, plan, targetScore(classTarget([1, 1, 1])), 2, {}, 'test');
  assert.deepEqual(Array.from(predicted), expected);
  out.forEach((row, r) => assert.ok(Math.abs(scores[r] - row[1]) < 1e-5));
  x.dispose();
});

test('scorePerturbations stops between batches when the signal aborts', async () => {
  await useBackend();
  const { model, calls } = linearBlackBox([2], 1);
  const x = tf.tensor2d([[1, 2]]);
  const controller = new AbortController();
  const plan = maskedPlan(x, x, new Int32Array(8), [2], (_r, m) => m.fill(1));
  const before = tf.memory().numTensors;
  await assert.rejects(
    scorePerturbations(model, plan, targetScore(classTarget([0])), 2, { signal: controller.signal, onProgress: () => controller.abort() }, 'test'),
    (e: unknown) => e instanceof LumenError && e.code === 'aborted',
  );
  assert.equal(calls(), 1);
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

