import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { rise, riseMasks } from '../../../src/attribution/perturbation/rise.js';
import { LumenError } from '../../../src/core/errors.js';
import { fromFunction } from '../../../src/models/from-function.js';
import { useBackend } from '../../../src/engine/backend.js';
import { maxAbsDiff } from '../../toy-models.js';

/** A black box that reads one pixel (y, x) of a [12, 12, 1] image: output [v, −v]. */
function onePixel(y: number, x: number): { model: ReturnType<typeof fromFunction>; calls: () => number } {
  let calls = 0;
  const model = fromFunction((z) => {
    calls++;
    return tf.tidy(() => {
      const v = z.slice([0, y, x, 0], [-1, 1, 1, 1]).reshape([-1, 1]);
      return tf.concat([v, v.neg()], 1);
    });
  }, { inputShape: [12, 12, 1], outputShape: [2] });
  return { model, calls: () => calls };
}

test('rise on a model that reads one pixel concentrates its saliency there', async () => {
  await useBackend();
  const { model } = onePixel(3, 8);
  const x = tf.ones([1, 12, 12, 1]);
  const a = await rise(model, x, { target: 0, samples: 400, gridSize: 4, seed: 1 });
  assert.deepEqual(a.values.shape, [1, 12, 12, 1]);
  const v = await a.values.data();
  const top = v.indexOf(Math.max(...v));
  assert.deepEqual([Math.floor(top / 12), top % 12], [3, 8]);
  // far from the pixel the saliency is near E[M] = p (the mask is independent of the score there)
  assert.ok(v[11 * 12] < v[3 * 12 + 8] * 0.75);
  x.dispose();
  a.dispose();
});

test('rise is Σ_i f(x ⊙ M_i) M_i / (N p), with the seeded masks, whatever the batch size', async () => {
  await useBackend();
  const { model, calls } = onePixel(5, 5);
  const x = tf.tensor4d(Float32Array.from({ length: 2 * 144 }, (_, i) => (i % 7) / 7), [2, 12, 12, 1]);
  const xs = await x.data();
  const samples = 30;
  const masks = riseMasks(samples, 12, 12, 3, 0.4, 9);
  const expected = new Float32Array(2 * 144);
  const m = new Float32Array(144);
  for (let i = 0; i < samples; i++) {
    masks.fill(i, m);
    for (let e = 0; e < 2; e++) {
      const f = xs[e * 144 + 5 * 12 + 5] * m[5 * 12 + 5];
      for (let j = 0; j < 144; j++) expected[e * 144 + j] += (f * m[j]) / (samples * 0.4);
    }
  }
  const a = await rise(model, x, { target: 0, samples, gridSize: 3, probability: 0.4, seed: 9, batchSize: 7 });
  assert.equal(calls(), Math.ceil((2 * samples) / 7));
  const b = await rise(model, x, { target: 0, samples, gridSize: 3, probability: 0.4, seed: 9, batchSize: 60 });
  assert.ok((await maxAbsDiff(a.values, expected)) < 1e-5);
  assert.equal(await maxAbsDiff(a.values, b.values), 0);
  [a, b].forEach((r) => r.dispose());
  x.dispose();
});

test('riseMasks are smooth, in [0, 1], keep about p of the image and depend on the seed', async () => {
  const a = riseMasks(200, 16, 16, 4, 0.3, 1);
  const b = riseMasks(200, 16, 16, 4, 0.3, 2);
  const m = new Float32Array(256);
  const n = new Float32Array(256);
  let mean = 0;
  let differ = false;
  for (let i = 0; i < 200; i++) {
    a.fill(i, m);
    b.fill(i, n);
    for (let j = 0; j < 256; j++) {
      assert.ok(m[j] >= 0 && m[j] <= 1);
      if (j % 16 < 15) assert.ok(Math.abs(m[j] - m[j + 1]) <= 0.2 + 1e-6, "a grid of 4 upsampled to 20 px changes by at most 4/20 per pixel");
      mean += m[j] / (200 * 256);
      if (m[j] !== n[j]) differ = true;
    }
  }
  assert.ok(Math.abs(mean - 0.3) < 0.03, `mean ${mean}`);
  assert.ok(differ);
});

test('rise refuses non-images and bad options; no leaks', async () => {
  await useBackend();
  const { model } = onePixel(0, 0);
  const x = tf.ones([1, 12, 12, 1]);
  await assert.rejects(rise(model, x, { probability: 0 }), (e: unknown) => e instanceof LumenError && /probability must be in \(0, 1\]/.test(e.message));
  await assert.rejects(rise(model, x, { samples: 0 }), LumenError);
  const flat = fromFunction((z) => z, { inputShape: [3], outputShape: [3] });
  const t = tf.ones([1, 3]);
  await assert.rejects(rise(flat, t), /masks images \[N, H, W, C\]/);
  const before = tf.memory().numTensors;
  const a = await rise(model, x, { samples: 10, target: 0 });
  a.dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, t]);
});
