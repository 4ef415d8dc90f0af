import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { gradCam } from '../../../src/attribution/cam/grad-cam.js';
import { guidedGradCam } from '../../../src/attribution/cam/guided-grad-cam.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { localMethodById } from '../../../src/methods.js';
import { maxAbsDiff } from '../../toy-models.js';
import { flatCnn, images } from './cam-models.js';


for (const upsample of ['nearest', 'bilinear'] as const) {
  test(`guidedGradCam({upsample: '${upsample}'}) is guided backprop ⊙ Grad-CAM (ReLU, resized), broadcast over the input channels`, async () => {
    await useBackend();
    const { model } = flatCnn(2);
    const x = images(2, 6);
    const target = [1, 2];
    const attr = await guidedGradCam(model, x, { target, layer: 'conv2', upsample });
    assert.deepEqual(attr.values.shape, x.shape);
    const guided = await localMethodById('guided-backprop').run(model, x, { target });
    const cam = await gradCam(model, x, { target, layer: 'conv2', relu: true, upsample });
    const expected = guided.values.mul(cam.values);
    assert.ok((await maxAbsDiff(attr.values, expected)) < 1e-6);
    tf.dispose([x, expected]);
    [attr, guided, cam].forEach((a) => a.dispose());
  });
}

test('guidedGradCam checks its upsampling mode and leaves no tensor behind', async () => {
  await useBackend();
  const { model } = flatCnn(2);
  const x = images(2, 6);
  await assert.rejects(guidedGradCam(model, x, { upsample: 'none' as 'nearest' }), (e: unknown) => e instanceof LumenError && e.code === 'option');
  const before = tf.memory().numTensors;
  const attr = await guidedGradCam(model, x, { target: [0, 1] });
  assert.equal(tf.memory().numTensors, before + 1);
  attr.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});
