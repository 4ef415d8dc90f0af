import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { featureMembers, featureOf, resolveFeatureMask } from '../../../src/core/perturbation/feature-mask.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';

test("resolveFeatureMask('scalars') makes every scalar its own feature", async () => {
  await useBackend();
  const m = resolveFeatureMask('scalars', [2, 3], 4, 'f');
  assert.equal(m.shared, true);
  assert.deepEqual(Array.from(m.ids), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(m.counts, [6, 6, 6, 6]);
});

test('a group mask [H, W, 1] broadcasts over channels and is renumbered in increasing order of id (Captum)', async () => {
  await useBackend();
  const groups = tf.tensor3d([7, 7, 3, 9], [2, 2, 1]);
  const m = resolveFeatureMask(groups, [2, 2, 3], 2, 'f');
  // scalars (y, x, c) row-major: ids 7,7,7, 7,7,7, 3,3,3, 9,9,9 → 1,1,1, 1,1,1, 0,0,0, 2,2,2
  assert.deepEqual(Array.from(m.ids), [1, 1, 1, 1, 1, 1, 0, 0, 0, 2, 2, 2]);
  assert.deepEqual(m.labels[0], [3, 7, 9]);
  assert.deepEqual(featureMembers(m, 1).map((a) => Array.from(a)), [[6, 7, 8], [0, 1, 2, 3, 4, 5], [9, 10, 11]]);
  groups.dispose();
});

test('an image mask without its channel axis ([H, W] or [N, H, W]) covers every channel of a pixel', async () => {
  await useBackend();
  const shared = tf.tensor2d([[5, 9], [9, 5]]);
  const perExample = tf.tensor3d([0, 0, 1, 1, 3, 3, 3, 3], [2, 2, 2]);
  const a = resolveFeatureMask(shared, [2, 2, 3], 2, 'f');
  assert.equal(a.shared, true);
  assert.deepEqual(Array.from(a.ids), [0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  const b = resolveFeatureMask(perExample, [2, 2, 3], 2, 'f');
  assert.equal(b.shared, false);
  assert.deepEqual(b.counts, [2, 1]);
  assert.deepEqual(Array.from(b.ids.subarray(0, 12)), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  tf.dispose([shared, perExample]);
});

test('a featureMask function is called on the input batch and the tensor it returns is released', async () => {
  await useBackend();
  const x = tf.ones([2, 2, 2, 3]);
  const before = tf.memory().numTensors;
  const m = resolveFeatureMask((t) => tf.tensor3d([0, 1, 0, 1, 2, 2, 2, 2], [t.shape[0], 2, 2]), [2, 2, 3], 2, 'f', x);
  assert.deepEqual(m.counts, [2, 1]);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => resolveFeatureMask((t) => t, [2, 2, 3], 2, 'f'), (e: unknown) => e instanceof LumenError && /needs the input batch/.test(e.message));
  x.dispose();
});

test('a mask [N, ...] gives each example its own features and counts', async () => {
  await useBackend();
  const groups = tf.tensor2d([[0, 0, 1], [0, 1, 2]]);
  const m = resolveFeatureMask(groups, [3], 2, 'f');
  assert.equal(m.shared, false);
  assert.deepEqual(m.counts, [2, 3]);
  assert.equal(featureOf(m, 1, 2), 2);
  assert.equal(featureOf(m, 0, 2), 1);
  groups.dispose();
});

test('patch features tile an image from the top-left, clipping the last patches, all channels together', async () => {
  await useBackend();
  const m = resolveFeatureMask({ patch: [2, 2] }, [3, 3, 2], 1, 'f');
  const perPixel = Array.from({ length: 9 }, (_, p) => m.ids[p * 2]);
  assert.deepEqual(perPixel, [0, 0, 1, 0, 0, 1, 2, 2, 3]);
  assert.equal(m.ids[1], m.ids[0], 'both channels of a pixel share a feature');
  assert.equal(m.counts[0], 4);
});

test('a label map (superpixels) [N, H, W] makes each label a feature over every channel', async () => {
  await useBackend();
  const labels = tf.tensor3d([[[5, 5], [6, 6]], [[1, 2], [1, 2]]]);
  const m = resolveFeatureMask({ labels }, [2, 2, 3], 2, 'f');
  assert.deepEqual(m.counts, [2, 2]);
  assert.deepEqual(featureMembers(m, 1).map((a) => Array.from(a)), [[0, 1, 2, 6, 7, 8], [3, 4, 5, 9, 10, 11]]);
  labels.dispose();
});

test("'tokens' groups the E values of each position of [N, T, E]", async () => {
  await useBackend();
  assert.deepEqual(Array.from(resolveFeatureMask('tokens', [3, 2], 1, 'f').ids), [0, 0, 1, 1, 2, 2]);
  assert.deepEqual(Array.from(resolveFeatureMask('tokens', [3], 1, 'f').ids), [0, 1, 2]);
  assert.throws(() => resolveFeatureMask('tokens', [2, 2, 2], 1, 'f'), LumenError);
});

test('a mask whose shape does not broadcast, or with bad ids, is a LumenError saying what was expected', async () => {
  await useBackend();
  const wrong = tf.zeros([3, 3]);
  assert.throws(() => resolveFeatureMask(wrong, [4, 4, 1], 2, 'featureAblation'), (e: unknown) =>
    e instanceof LumenError && e.code === 'shape' && /featureAblation: featureMask shape \[3,3\] must broadcast to one example's shape \[4,4,1\]/.test(e.message));
  const wrongBatch = tf.zeros([3, 4]);
  assert.throws(() => resolveFeatureMask(wrongBatch, [4], 2, 'f'), (e: unknown) => e instanceof LumenError && e.code === 'shape');
  const negative = tf.tensor1d([0, -1]);
  assert.throws(() => resolveFeatureMask(negative, [2], 1, 'f'), (e: unknown) => e instanceof LumenError && /non-negative integers; found -1/.test(e.message));
  const fractional = tf.tensor1d([0, 0.5]);
  assert.throws(() => resolveFeatureMask(fractional, [2], 1, 'f'), LumenError);
  assert.throws(() => resolveFeatureMask({ patch: [5, 1] }, [4, 4, 1], 1, 'f'), /larger than the image/);
  assert.throws(() => resolveFeatureMask([0, 1] as never, [2], 1, 'f'), /wrap it in tf.tensor/);
  tf.dispose([wrong, wrongBatch, negative, fractional]);
});
