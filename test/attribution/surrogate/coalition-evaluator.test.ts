import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { coalitionEvaluator } from '../../../src/attribution/surrogate/coalition-evaluator.js';
import { useBackend } from '../../../src/engine/backend.js';
import { fromFunction } from '../../../src/models/from-function.js';

/** A black box on 2×2×3 images returning each pixel-channel's value (so a score reads back one scalar of the masked input). */
function identity(): ReturnType<typeof fromFunction> {
  return fromFunction((x) => x.reshape([x.shape[0], -1]), { inputShape: [2, 2, 3], outputShape: [12] });
}

test('coalitionEvaluator: a [H, W] mask covers every channel of a pixel; absent features take the baseline\'s values', async () => {
  await useBackend();
  const x = tf.tensor4d(Array.from({ length: 12 }, (_, i) => i + 1), [1, 2, 2, 3]);
  const base = tf.fill([1, 2, 2, 3], -1);
  const mask = tf.tensor2d([[5, 9], [9, 5]], [2, 2], 'int32');
  const targetOf = (k: number) => async () => {
    const game = await coalitionEvaluator(identity(), x, { target: k, featureMask: mask, baseline: base, batchSize: 2 }, 'test');
    assert.deepEqual(game.features, [2]);
    assert.deepEqual(game.labels, [[5, 9]]);
    // Rows: label 5 present only; label 9 present only; both; none.
    const v = await game.evaluate(Int32Array.of(0, 0, 0, 0), Uint8Array.of(1, 0, 0, 1, 1, 1, 0, 0));
    game.dispose();
    return Array.from(v);
  };
  // Scalar 4 is pixel (0,1) channel 1 → label 9; scalar 1 is pixel (0,0) channel 1 → label 5.
  assert.deepEqual(await targetOf(4)(), [-1, 5, 5, -1]);
  assert.deepEqual(await targetOf(1)(), [2, -1, 2, -1]);
  tf.dispose([x, base, mask]);
});

test('coalitionEvaluator: per-example masks give each example its own features; spread puts values back on the input shape', async () => {
  await useBackend();
  const x = tf.ones([2, 2, 2, 3]);
  const mask = tf.tensor4d([0, 0, 1, 1, 3, 3, 3, 3], [2, 2, 2, 1], 'int32');
  const game = await coalitionEvaluator(identity(), x, { target: 0, featureMask: mask }, 'test');
  assert.deepEqual(game.features, [2, 1]);
  assert.equal(game.stride, 2);
  const spread = game.spread([Float64Array.of(10, 20), Float64Array.of(7)]);
  assert.deepEqual(spread.shape, [2, 2, 2, 3]);
  const data = Array.from(await spread.data());
  assert.deepEqual(data.slice(0, 12), [10, 10, 10, 10, 10, 10, 20, 20, 20, 20, 20, 20]);
  assert.deepEqual(data.slice(12), new Array(12).fill(7));
  game.dispose();
  tf.dispose([x, mask, spread]);
});

test('coalitionEvaluator: a featureMask function is called on the input and its result released', async () => {
  await useBackend();
  const x = tf.ones([1, 2, 2, 3]);
  const before = tf.memory().numTensors;
  const game = await coalitionEvaluator(identity(), x, { target: 0, featureMask: (t) => tf.zeros([t.shape[0], 2, 2], 'int32') }, 'test');
  assert.deepEqual(game.features, [1]);
  game.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test('coalitionEvaluator keeps the features present in each coalition and replaces the others by the baseline', async () => {
  await useBackend();
  const x = tf.tensor2d([[1, 2, 3, 4]]);
  const base = tf.tensor2d([[-1, -2, -3, -4]]);
  // the score 1·x0 + 10·x1 + 100·x2 + 1000·x3 reads back every value of a row exactly
  const digits = tf.tensor2d([[1], [10], [100], [1000]]);
  const model = fromFunction((v) => tf.matMul(v, digits), { inputShape: [4], outputShape: [1] });
  const game = await coalitionEvaluator(model, x, { target: 0, featureMask: tf.tensor1d([0, 0, 1, 2], 'int32'), baseline: base }, 'test');
  // coalitions over 3 features: {0}, {1, 2}, {} → rows [1, 2, −3, −4], [−1, −2, 3, 4], [−1, −2, −3, −4]
  const scores = await game.evaluate(new Int32Array(3), Uint8Array.from([1, 0, 0, 0, 1, 1, 0, 0, 0]));
  assert.deepEqual(Array.from(scores), [1 + 20 - 300 - 4000, -1 - 20 + 300 + 4000, -1 - 20 - 300 - 4000]);
  game.dispose();
  tf.dispose([x, base, digits]);
});

test('coalitionEvaluator takes every FeatureMask kind of the perturbation methods: {patch} equals its label map', async () => {
  await useBackend();
  const x = tf.tensor4d(Array.from({ length: 12 }, (_, i) => i + 1), [1, 2, 2, 3]);
  const labels = tf.tensor2d([[0, 1], [2, 3]], [2, 2], 'int32');
  const viaPatch = await coalitionEvaluator(identity(), x, { target: 4, featureMask: { patch: [1, 1] } }, 'test');
  const viaLabels = await coalitionEvaluator(identity(), x, { target: 4, featureMask: labels }, 'test');
  assert.deepEqual(viaPatch.features, viaLabels.features);
  const z = Uint8Array.of(0, 1, 0, 0, 1, 0, 1, 1);
  const rows = Int32Array.of(0, 0);
  assert.deepEqual(Array.from(await viaPatch.evaluate(rows, z)), Array.from(await viaLabels.evaluate(rows, z)));
  assert.deepEqual(Array.from(await viaPatch.evaluate(rows, z)), [5, 0]);
  viaPatch.dispose();
  viaLabels.dispose();
  tf.dispose([x, labels]);
});
