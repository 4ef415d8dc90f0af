import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { buildModel, forwardMacs } from '../../bench/models.js';
import { trackPeakBytes } from '../../bench/memory.js';
import { makeWorkloads, median, occlusionMasks, timeWorkload, WORKLOADS } from '../../bench/workloads.js';
import { SPECS } from '../../bench/models.js';

test('bench models have the reference architectures (output shapes, MobileNet v1 parameter count)', async () => {
  await useBackend();
  const mnist = buildModel('mnist');
  assert.deepEqual(mnist.outputs[0].shape, [null, 10]);
  assert.equal(mnist.countParams(), 320 + 18496 + 9216 * 128 + 128 + 1290);
  const mb = buildModel('mobilenet96');
  assert.deepEqual(mb.outputs[0].shape, [null, 1000]);
  // Keras' MobileNet (α = 1, 1000 classes) has 4,253,864 parameters, BN statistics included.
  assert.equal(mb.countParams(), 4253864);
  assert.ok(Math.abs(forwardMacs(mb) / 1e6 - 105.3) < 0.5);
  mnist.dispose();
  mb.dispose();
});

test('occlusion masks put one patch×patch hole per copy on the reference grid', () => {
  const m = occlusionMasks(0, 200, 28, 28, 4);
  for (let i = 0; i < 200; i++) {
    const zeros = m.subarray(i * 784, (i + 1) * 784).reduce((a, v) => a + (v === 0 ? 1 : 0), 0);
    assert.equal(zeros, 16, `copy ${i}`);
  }
  // Copy 0 at (0, 0); copy 14 (last of the first row of a 15×15 grid) at the right edge; copy 15 on row 1.
  assert.equal(m[0], 0);
  assert.equal(m[14 * 784 + 27], 0);
  assert.equal(m[15 * 784 + Math.round(24 / 14) * 28], 0);
  assert.deepEqual(occlusionMasks(32, 8, 28, 28, 4), m.slice(32 * 784, 40 * 784));
});

test('every mnist workload runs and releases its tensors; peak tracking sees allocations', async () => {
  await useBackend();
  const layers = buildModel('mnist');
  const w = makeWorkloads(fromLayersModel(layers), SPECS.mnist);
  for (const name of WORKLOADS) {
    const t = await timeWorkload(w.run[name], 1, 1);
    assert.equal(t.tensorGrowth, 0, `${name} leaks tensors`);
    assert.ok(t.medianMs > 0);
  }
  const peak = trackPeakBytes();
  tf.tidy(() => tf.zeros([1024]).add(1));
  assert.ok(peak.stop() >= 8192);
  w.dispose();
  layers.dispose();
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
});
