import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { featureAblation } from '../../../src/attribution/perturbation/feature-ablation.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { maxAbsDiff, tanhMlp } from '../../toy-models.js';
import { linearBlackBox, uniform } from './perturbation-models.js';

test('featureAblation(linear black box) is w_t ⊙ (x − baseline) per scalar', async () => {
  await useBackend();
  const { model, w } = linearBlackBox([5], 3, 2);
  const x = uniform([2, 5], 7);
  const base = uniform([2, 5], 8);
  const a = await featureAblation(model, x, { baseline: base, target: [1, 2] });
  const xs = await x.data();
  const bs = await base.data();
  const expected = Array.from(xs, (v, i) => w[(i % 5) * 3 + [1, 2][Math.floor(i / 5)]] * (v - bs[i]));
  assert.ok((await maxAbsDiff(a.values, expected)) < 1e-5);
  tf.dispose([x, base]);
  a.dispose();
});

test('featureAblation with groups gives every scalar of a group Σ_group w ⊙ (x − baseline) (mask broadcast over channels)', async () => {
  await useBackend();
  const { model, w } = linearBlackBox([2, 2, 3], 2, 4);
  const x = uniform([1, 2, 2, 3], 9);
  const mask = tf.tensor3d([[[4], [4]], [[1], [9]]]);
  const a = await featureAblation(model, x, { featureMask: mask, target: 1 });
  const xs = await x.data();
  const group = [4, 4, 1, 9];
  const sums = new Map<number, number>();
  for (let j = 0; j < 12; j++) sums.set(group[Math.floor(j / 3)], (sums.get(group[Math.floor(j / 3)]) ?? 0) + w[j * 2 + 1] * xs[j]);
  const expected = Array.from({ length: 12 }, (_, j) => sums.get(group[Math.floor(j / 3)]) as number);
  assert.ok((await maxAbsDiff(a.values, expected)) < 1e-5);
  assert.deepEqual(a.meta.features, [3]);
  tf.dispose([x, mask]);
  a.dispose();
});

test('featureAblation: a dummy feature (no effect on the model) gets 0; a per-example mask ablates each example its own way', async () => {
  await useBackend();
  const { model } = linearBlackBox([3], 1, 1);
  const dummy = { ...model, predict: (z: tf.Tensor) => model.predict(tf.tidy(() => z.mul(tf.tensor1d([1, 0, 1])))) };
  const x = uniform([2, 3], 3);
  const a = await featureAblation(dummy, x, { target: 0 });
  const v = await a.values.data();
  assert.equal(v[1], 0);
  assert.equal(v[4], 0);
  assert.notEqual(v[0], 0);
  const mask = tf.tensor2d([[0, 0, 0], [0, 1, 2]]);
  const b = await featureAblation(model, x, { target: 0, featureMask: mask });
  const bv = await b.values.data();
  const full = await featureAblation(model, x, { target: 0 });
  const fv = await full.values.data();
  assert.ok(Math.abs(bv[0] - (fv[0] + fv[1] + fv[2])) < 1e-5 && bv[0] === bv[1] && bv[1] === bv[2], 'example 0: one group of all three');
  assert.ok(Math.abs(bv[3] - fv[3]) < 1e-6 && Math.abs(bv[5] - fv[5]) < 1e-6, 'example 1: each its own');
  tf.dispose([x, mask]);
  [a, b, full].forEach((r) => r.dispose());
});

test('featureAblation works on a layers model and on the same function as a black box, with the same numbers and batched calls', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(3);
  const box = { ...model, differentiable: false, run: () => { throw new Error('a black box has no run'); } };
  let calls = 0;
  const spy = { ...box, predict: (z: tf.Tensor) => { calls++; return model.predict(z); } };
  const x = uniform([2, 4], 6);
  const before = tf.memory().numTensors;
  const a = await featureAblation(model, x, { target: [0, 2] });
  const b = await featureAblation(spy, x, { target: [0, 2], batchSize: 3 });
  assert.ok((await maxAbsDiff(a.values, b.values)) < 1e-6);
  assert.equal(calls, 1 + Math.ceil(8 / 3));
  a.dispose();
  b.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  layers.dispose();
});

test('featureAblation: a mask of the wrong shape or a bad baseline is a LumenError', async () => {
  await useBackend();
  const { model } = linearBlackBox([4], 2);
  const x = uniform([2, 4], 1);
  const mask = tf.tensor1d([0, 1, 2]);
  await assert.rejects(featureAblation(model, x, { featureMask: mask }), (e: unknown) => e instanceof LumenError && e.code === 'shape');
  const base = tf.zeros([3]);
  await assert.rejects(featureAblation(model, x, { baseline: base, target: 0 }), (e: unknown) => e instanceof LumenError && /baseline shape \[3\]/.test(e.message));
  tf.dispose([x, mask, base]);
});

test('featureAblation with one group of every scalar is complete: each value is f(x) − f(baseline)', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(5);
  const x = uniform([2, 4], 3);
  const mask = tf.zeros([4]);
  const a = await featureAblation(model, x, { featureMask: mask, baseline: 'mean', target: [1, 0] });
  const mean = tf.tidy(() => x.mean(1, true).tile([1, 4]));
  const fx = await model.predict(x);
  const fb = await model.predict(mean);
  const [px, pb] = [await fx.data(), await fb.data()];
  const expected = [0, 1].flatMap((e) => new Array<number>(4).fill(px[e * 3 + [1, 0][e]] - pb[e * 3 + [1, 0][e]]));
  assert.ok((await maxAbsDiff(a.values, expected)) < 1e-5);
  tf.dispose([x, mask, mean, fx, fb]);
  a.dispose();
  layers.dispose();
});
