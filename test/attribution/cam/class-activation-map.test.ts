import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { classActivationMap } from '../../../src/attribution/cam/class-activation-map.js';
import { gradCam } from '../../../src/attribution/cam/grad-cam.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { maxAbsDiff, tanhMlp } from '../../toy-models.js';
import { denseColumn, flatCnn, gapCnn, images } from './cam-models.js';

test('classActivationMap(gapModel, x) is Σ_c w_tc A_c with w the dense kernel column of the target', async () => {
  await useBackend();
  const { model, layers } = gapCnn();
  const x = images(2);
  const target = [2, 0];
  const attr = await classActivationMap(model, x, { target, upsample: 'none' });
  assert.deepEqual(attr.values.shape, [2, 8, 8, 1]);
  assert.equal(attr.meta.layer, 'conv');
  const maps = tf.tidy(() => model.run(x, { capture: ['conv'] }).captured.conv);
  const expected = tf.tidy(() => tf.stack(target.map((t, i) => maps.slice([i], [1]).mul(tf.tensor1d(denseColumn(layers, 'fc', t))).sum(-1, true).squeeze([0]))));
  assert.ok((await maxAbsDiff(attr.values, expected)) < 1e-5);
  tf.dispose([x, maps, expected]);
  attr.dispose();
});

test('CAM equals h·w × Grad-CAM (no ReLU) on a GAP → dense model', async () => {
  await useBackend();
  const { model } = gapCnn({ seed: 21, pool: true });
  const x = images(3, 5);
  const cam = await classActivationMap(model, x, { target: 1, upsample: 'none' });
  const grad = await gradCam(model, x, { target: 1, layer: 'pool', relu: false, upsample: 'none' });
  assert.equal(cam.meta.layer, 'pool');
  const scaled = grad.values.mul(4 * 4);
  assert.ok((await maxAbsDiff(cam.values, scaled)) < 1e-5);
  tf.dispose([x, scaled]);
  cam.dispose();
  grad.dispose();
});

test('classActivationMap upsamples to the input like Grad-CAM', async () => {
  await useBackend();
  const { model } = gapCnn({ pool: true });
  const x = images(1);
  const cam = await classActivationMap(model, x, { target: 0, upsample: 'nearest' });
  const grad = await gradCam(model, x, { target: 0, relu: false, upsample: 'nearest' });
  assert.deepEqual(cam.values.shape, [1, 8, 8, 1]);
  const scaled = grad.values.mul(16);
  assert.ok((await maxAbsDiff(cam.values, scaled)) < 1e-5);
  tf.dispose([x, scaled]);
  cam.dispose();
  grad.dispose();
});

test('classActivationMap on a model without global average pooling is a LumenError that suggests grad-cam', async () => {
  await useBackend();
  const x = images(1);
  await assert.rejects(classActivationMap(flatCnn().model, x, { target: 0 }), (e: unknown) =>
    e instanceof LumenError && e.code === 'model' && /GlobalAveragePooling2D/.test(e.message) && /grad-cam/.test(e.message));
  x.dispose();
});

test('classActivationMap on a GAP model with a softmax head is a LumenError (the head is not affine)', async () => {
  await useBackend();
  const x = images(1);
  const { model } = gapCnn({ headActivation: 'softmax' });
  const before = tf.memory().numTensors;
  await assert.rejects(classActivationMap(model, x, { target: 0 }), (e: unknown) =>
    e instanceof LumenError && e.code === 'model' && /not affine/.test(e.message));
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test('classActivationMap with a layer that does not feed the pooling, or is not spatial, is a LumenError', async () => {
  await useBackend();
  const { model } = gapCnn({ pool: true });
  const x = images(1);
  await assert.rejects(classActivationMap(model, x, { target: 0, layer: 'conv' }), (e: unknown) =>
    e instanceof LumenError && e.code === 'layer' && /does not feed/.test(e.message));
  await assert.rejects(classActivationMap(model, x, { target: 0, layer: 'fc' }), (e: unknown) =>
    e instanceof LumenError && e.code === 'layer' && /not a spatial feature map/.test(e.message));
  await assert.rejects(classActivationMap(tanhMlp().model, tf.zeros([1, 4]), { target: 0 }), (e: unknown) => e instanceof LumenError && e.code === 'model');
  x.dispose();
});

test('classActivationMap leaves no tensor behind', async () => {
  await useBackend();
  const { model } = gapCnn();
  const x = images(2);
  const before = tf.memory().numTensors;
  const attr = await classActivationMap(model, x, { target: [1, 2], batchSize: 1 });
  assert.equal(tf.memory().numTensors, before + 1);
  attr.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});
