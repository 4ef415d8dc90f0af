import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { layerCam } from '../../../src/attribution/cam/layer-cam.js';
import { useBackend } from '../../../src/engine/backend.js';
import { maxAbsDiff } from '../../toy-models.js';
import { denseColumn, flatCnn, gapCnn, images } from './cam-models.js';

test('layerCam on a GAP → dense model is ReLU(Σ_c ReLU(w_tc / hw) A_c)', async () => {
  await useBackend();
  const { model, layers } = gapCnn({ seed: 30 });
  const x = images(2, 1);
  const attr = await layerCam(model, x, { target: 0, layer: 'conv', upsample: 'none' });
  const positive = denseColumn(layers, 'fc', 0).map((w) => Math.max(0, w / 64));
  const expected = tf.tidy(() => tf.relu(model.run(x, { capture: ['conv'] }).captured.conv.mul(tf.tensor1d(positive)).sum(-1, true)));
  assert.ok((await maxAbsDiff(attr.values, expected)) < 1e-6);
  tf.dispose([x, expected]);
  attr.dispose();
});

test('layerCam keeps the layer resolution with upsample none, and leaves no tensor behind', async () => {
  await useBackend();
  const { model } = flatCnn();
  const x = images(2);
  const before = tf.memory().numTensors;
  const attr = await layerCam(model, x, { target: 1, layer: 'conv2', upsample: 'none' });
  assert.equal(tf.memory().numTensors, before + 1);
  assert.deepEqual(attr.values.shape, [2, 4, 4, 1]);
  attr.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});
