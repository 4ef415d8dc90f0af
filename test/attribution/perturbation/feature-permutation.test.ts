import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { featurePermutation } from '../../../src/attribution/perturbation/feature-permutation.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { maxAbsDiff } from '../../toy-models.js';
import { linearBlackBox, uniform } from './perturbation-models.js';

test('featurePermutation(linear) is w_j (x_ej − x_π(e)j): each feature column sums to zero over the batch', async () => {
  await useBackend();
  const { model, w } = linearBlackBox([3], 1, 8);
  const x = uniform([5, 3], 2);
  const a = await featurePermutation(model, x, { target: 0, seed: 3 });
  const v = await a.values.data();
  const xs = await x.data();
  for (let j = 0; j < 3; j++) {
    let sum = 0;
    for (let e = 0; e < 5; e++) sum += v[e * 3 + j];
    assert.ok(Math.abs(sum) < 1e-5, `column ${j} sums to 0`);
    // every value is w_j (x_ej − x_kj) for some other example k
    for (let e = 0; e < 5; e++) {
      const options = Array.from({ length: 5 }, (_, k) => w[j] * (xs[e * 3 + j] - xs[k * 3 + j]));
      assert.ok(options.some((o) => Math.abs(o - v[e * 3 + j]) < 1e-5));
    }
  }
  assert.ok(v.some((u) => Math.abs(u) > 1e-3), 'the permutation is not the identity');
  x.dispose();
  a.dispose();
});

test('featurePermutation: the same seed gives the same values, another seed others; samples average', async () => {
  await useBackend();
  const { model, calls } = linearBlackBox([4], 2, 1);
  const x = uniform([6, 4], 5);
  const a = await featurePermutation(model, x, { target: 1, seed: 11 });
  const b = await featurePermutation(model, x, { target: 1, seed: 11 });
  const c = await featurePermutation(model, x, { target: 1, seed: 12 });
  assert.equal(await maxAbsDiff(a.values, b.values), 0);
  assert.ok((await maxAbsDiff(a.values, c.values)) > 1e-3);
  const before = calls();
  const d = await featurePermutation(model, x, { target: 1, seed: 11, samples: 3, batchSize: 10 });
  assert.equal(calls() - before, 1 + Math.ceil((3 * 4 * 6) / 10));
  assert.equal(d.meta.samples, 3);
  [a, b, c, d].forEach((r) => r.dispose());
  x.dispose();
});

test('featurePermutation needs two examples and one mask for the batch', async () => {
  await useBackend();
  const { model } = linearBlackBox([2], 1);
  const one = uniform([1, 2], 1);
  await assert.rejects(featurePermutation(model, one, { target: 0 }), (e: unknown) => e instanceof LumenError && /at least 2 examples; found 1/.test(e.message));
  const two = uniform([2, 2], 1);
  const perExample = tf.tensor2d([[0, 1], [0, 0]]);
  await assert.rejects(featurePermutation(model, two, { target: 0, featureMask: perExample }), /same for every example/);
  tf.dispose([one, two, perExample]);
});
