import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { carliniWagnerL2, carliniWagnerMargin } from '../../src/adversarial/carlini-wagner-l2.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { linearModel, tanhMlp } from '../toy-models.js';

test('carliniWagnerMargin is max(Z_t − max_{i≠t} Z_i, −κ) over the other logits only (negative logits included)', async () => {
  await useBackend();
  const z = tf.tensor2d([[-3, -1, -2], [2, 5, -1]]);
  const t = tf.tensor1d([0, 1], 'int32');
  // row 0: Z_t − max_{i≠t} Z_i = −3 − (−1) = −2 (the masked zeros must not win the max); row 1: 5 − 2 = 3
  assert.deepEqual(Array.from(await carliniWagnerMargin(z, t, 5, false).data()), [-2, 3]);
  assert.deepEqual(Array.from(await carliniWagnerMargin(z, t, 1, false).data()), [-1, 3]);
  assert.deepEqual(Array.from(await carliniWagnerMargin(z, t, 5, true).data()), [2, -3]);
  assert.deepEqual(Array.from(await carliniWagnerMargin(z, t, 2, true).data()), [2, -2]);
  tf.dispose([z, t]);
});

test('carliniWagnerL2 finds an adversarial example inside the bounds; the binary search never does worse than its first c', async () => {
  await useBackend();
  const { model, layers } = linearModel([[1, -1], [-2, 1], [0.5, 0.5]], [0.1, -0.2]);
  const x = tf.tensor2d([[0.6, 0.4, 0.5], [0.3, 0.5, 0.2]]);
  const before = tf.memory().numTensors;
  const options = { target: [0, 1], bounds: [0, 1] as const, c: 1, steps: 60, learningRate: 0.05, abortEarly: false };
  const one = await carliniWagnerL2(model, x, { ...options, binarySearchSteps: 1 });
  const four = await carliniWagnerL2(model, x, { ...options, binarySearchSteps: 4 });
  assert.deepEqual(one.success, [true, true]);
  assert.deepEqual(one.predictions, [1, 0]);
  for (const r of [one, four]) assert.ok(Array.from(await r.perturbed.data()).every((v) => v >= 0 && v <= 1));
  four.l2.forEach((d, i) => assert.ok(d <= one.l2[i] + 1e-6, `example ${i}: ${d} ≤ ${one.l2[i]}`));
  // the reported L2² is the returned image's distance
  (one.meta.l2Squared as number[]).forEach((d, i) => assert.ok(Math.abs(d - one.l2[i] ** 2) < 1e-5));
  one.dispose();
  four.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensor (variable, optimizer slot) left behind');
  x.dispose();
  layers.dispose();
});

test('carliniWagnerL2 returns the clean input where no step succeeds, and stops early on a rising cost', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(2);
  const x = tf.tidy(() => tf.randomUniform([2, 4], 0.2, 0.8, 'float32', 3));
  const r = await carliniWagnerL2(model, x, { bounds: [0, 1], c: 1e-6, steps: 5, learningRate: 1e-4 });
  assert.deepEqual(r.success, [false, false]);
  assert.deepEqual(Array.from(await r.perturbed.data()), Array.from(await x.data()));
  assert.deepEqual(r.meta.l2Squared, [null, null]);
  r.dispose();
  await assert.rejects(carliniWagnerL2(model, x, { bounds: [0, Infinity] }), (e: unknown) => e instanceof LumenError && /bounds must be finite/.test(e.message));
  await assert.rejects(carliniWagnerL2(model, x, { bounds: [0, 1], kappa: -1 }), (e: unknown) => e instanceof LumenError && /kappa must be a finite number ≥ 0; found -1/.test(e.message));
  x.dispose();
  layers.dispose();
});
