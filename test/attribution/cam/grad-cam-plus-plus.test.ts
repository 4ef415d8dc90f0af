import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { gradCamPlusPlus } from '../../../src/attribution/cam/grad-cam-plus-plus.js';
import { useBackend } from '../../../src/engine/backend.js';
import { maxAbsDiff } from '../../toy-models.js';
import { denseColumn, flatCnn, gapCnn, images } from './cam-models.js';

test('gradCamPlusPlus on a GAP → dense model: the gradient g = w/hw is constant per channel, so w_c = hw · α_c · ReLU(g_c)', async () => {
  await useBackend();
  const { model, layers } = gapCnn({ seed: 12 });
  const x = images(2, 8);
  const t = 2;
  const attr = await gradCamPlusPlus(model, x, { target: t, layer: 'conv', upsample: 'none' });
  assert.deepEqual(attr.values.shape, [2, 8, 8, 1]);
  const maps = tf.tidy(() => model.run(x, { capture: ['conv'] }).captured.conv);
  const a = await maps.data();
  const w = denseColumn(layers, 'fc', t);
  const hw = 64;
  const C = w.length;
  const expected = new Float32Array(2 * hw);
  for (let i = 0; i < 2; i++) {
    const weights = w.map((wc, c) => {
      const g = wc / hw;
      let s = 0;
      for (let p = 0; p < hw; p++) s += a[(i * hw + p) * C + c];
      const den = 2 * g * g + s * g * g * g;
      const alpha = den === 0 ? 0 : (g * g) / den;
      return hw * alpha * Math.max(0, g);
    });
    for (let p = 0; p < hw; p++) {
      let v = 0;
      for (let c = 0; c < C; c++) v += weights[c] * a[(i * hw + p) * C + c];
      expected[i * hw + p] = Math.max(0, v);
    }
  }
  const scale = Math.max(...expected);
  assert.ok(scale > 0);
  assert.ok((await maxAbsDiff(attr.values, expected)) < 1e-5 * scale);
  tf.dispose([x, maps]);
  attr.dispose();
});

test('gradCamPlusPlus is non-negative, upsampled to the input and leaves no tensor behind', async () => {
  await useBackend();
  const { model } = flatCnn();
  const x = images(3);
  const before = tf.memory().numTensors;
  const attr = await gradCamPlusPlus(model, x, { target: [1, 2, 3], batchSize: 2 });
  assert.equal(tf.memory().numTensors, before + 1);
  assert.deepEqual(attr.values.shape, [3, 8, 8, 1]);
  assert.ok(Math.min(...(await attr.values.data())) >= 0);
  attr.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});
