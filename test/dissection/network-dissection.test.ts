import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { LumenError } from '../../src/core/errors.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { networkDissection } from '../../src/dissection/network-dissection.js';
import { shapesMaskDataset } from '../../src/dissection/shapes-mask-dataset.js';

test('networkDissection finds detector units (IoU > 0.04) for the planted stripes, dots and red in bundled:concepts', async () => {
  await useBackend('wasm');
  const { model: lm } = await loadBundledModel('concepts');
  const model = fromLayersModel(lm);
  const data = shapesMaskDataset(400, 3);
  const before = tf.memory().numTensors;
  const d = await networkDissection(model, data, 'relu1');
  assert.equal(tf.memory().numTensors, before);
  assert.equal(d.thresholds.length, 8);
  for (const concept of ['stripes', 'dots', 'red']) {
    const units = d.units.filter((u) => u.concept === concept && u.iou > 0.04);
    assert.ok(units.length >= 1, `${concept}: ${JSON.stringify(d.units)}`);
  }
  // each unit's threshold leaves about 0.5 % of its activations above it
  for (const row of d.iou) for (const v of row) assert.ok(v >= 0 && v <= 1);
  lm.dispose();
});

test('networkDissection refuses an unknown or non-spatial layer with a LumenError', async () => {
  await useBackend('wasm');
  const { model: lm } = await loadBundledModel('concepts');
  const model = fromLayersModel(lm);
  const data = shapesMaskDataset(4, 1);
  await assert.rejects(networkDissection(model, data, 'conv9'), (e: unknown) => e instanceof LumenError && /found 'conv9'/.test(e.message));
  await assert.rejects(networkDissection(model, data, 'gap'), /must output maps \[H, W, units\]/);
  lm.dispose();
});
