import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../../src/engine/backend.js';
import { slic } from '../../../src/data/superpixels/slic.js';
import { fromFunction } from '../../../src/models/from-function.js';
import { localMethodById } from '../../../src/methods.js';

function imageModel(): ReturnType<typeof fromFunction> {
  return fromFunction((x) => tf.tidy(() => x.mean([1, 2, 3]).reshape([-1, 1]).concat(x.max([1, 2, 3]).reshape([-1, 1]), 1)), { inputShape: [16, 16, 1], outputShape: [2] });
}

test('surrogate registry entries: an image given no featureMask is explained over the default SLIC superpixels', async () => {
  await useBackend();
  const pixels = Float32Array.from({ length: 256 }, (_, p) => ((p % 16) < 8 ? 0.2 : 0.8) + 0.01 * Math.sin(p));
  const x = tf.tensor4d(pixels, [1, 16, 16, 1]);
  const before = tf.memory().numTensors;
  const a = await localMethodById('kernel-shap').run(imageModel(), x, { target: 0, samples: 64 });
  const expected = Math.max(...slic({ data: pixels, height: 16, width: 16, channels: 1 }, { segments: 50 })) + 1;
  assert.equal((a.meta.featureLabels as number[][])[0].length, expected);
  const b = await localMethodById('lime').run(imageModel(), x, { target: 0, samples: 64, superpixels: { algorithm: 'felzenszwalb', parameter: 100 } });
  assert.ok((b.meta.featureLabels as number[][])[0].length <= 4, 'two flat halves: a few Felzenszwalb segments');
  a.dispose();
  b.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test('surrogate registry entries refuse superpixels with a featureMask, on tabular inputs, and text (the CLI parses it)', async () => {
  await useBackend();
  const x = tf.ones([1, 16, 16, 1]);
  const mask = tf.zeros([16, 16], 'int32');
  const table = tf.ones([2, 3]);
  const tabular = fromFunction((t) => t.sum(1, true), { inputShape: [3], outputShape: [1] });
  await assert.rejects(localMethodById('kernel-shap').run(imageModel(), x, { target: 0, featureMask: mask, superpixels: { algorithm: 'slic' } }), /superpixels and featureMask both given/);
  await assert.rejects(localMethodById('lime').run(tabular, table, { target: 0, superpixels: { algorithm: 'slic' } }), /segments images \[N, H, W, 1 or 3\]; the input has shape \[2,3\]/);
  await assert.rejects(localMethodById('shapley-values').run(imageModel(), x, { target: 0, superpixels: 'slic:50' }), /expected a SuperpixelSpec .*found 'slic:50' \(text is parsed by the CLI/);
  await assert.rejects(localMethodById('lime').run(imageModel(), x, { target: 0, superpixels: { algorithm: 'watershed' } }), /expected a SuperpixelSpec/);
  tf.dispose([x, mask, table]);
});
