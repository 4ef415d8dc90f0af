import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { datasetFromArrays } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { bundledDataset } from '../../src/data/dataset-files.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromFunction } from '../../src/models/from-function.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { distillation, softTargets } from '../../src/rules/distillation.js';

test('softTargets: τ = 1 keeps the probabilities, a larger τ flattens them, rows sum to 1', () => {
  const p = Float64Array.from([0.7, 0.2, 0.1]);
  const one = softTargets(p, 1, 3, 1);
  one.forEach((v, i) => assert.ok(Math.abs(v - p[i]) < 1e-6));
  const hot = softTargets(p, 1, 3, 4);
  assert.ok(hot[0] < one[0] && hot[2] > one[2]);
  assert.ok(Math.abs(hot.reduce((a, b) => a + b, 0) - 1) < 1e-6);
});

/** A black box whose class is the side of the line x0 + x1 = 0 (logits ±3·(x0 + x1)). */
const oblique = fromFunction((x) => tf.tidy(() => {
  const s = x.slice([0, 0], [-1, 1]).add(x.slice([0, 1], [-1, 1])).mul(3);
  return tf.concat([s.neg(), s], 1);
}), { inputShape: [2], outputShape: [2] });

test('distillation: both students mimic an oblique black box on held-out rows; nothing leaks; seeded', async () => {
  await useBackend();
  let s = 9;
  const rows = Array.from({ length: 200 }, () => [0, 0].map(() => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2));
  const data = datasetFromArrays(rows);
  const before = tf.memory().numTensors;
  const r = await distillation(oblique, data, { depth: 2, epochs: 200, seed: 3 });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  assert.equal(r.heldOutRows, 40);
  assert.ok(r.softTreeFidelity >= 0.9, `soft tree fidelity ${r.softTreeFidelity}`);
  assert.ok(r.treeFidelity >= 0.8, `CART fidelity ${r.treeFidelity}`);
  const again = await distillation(oblique, data, { depth: 2, epochs: 200, seed: 3 });
  assert.deepEqual(again.softTree, r.softTree);
  await assert.rejects(distillation(oblique, data, { temperature: 0 }), (e) => e instanceof LumenError && /temperature must be a positive number; found 0/.test(e.message));
});

test('distillation of the bundled penguins model: both students agree with it on ≥ 90 % of held-out rows', async () => {
  await useBackend();
  const { model: layers } = await loadBundledModel('penguins');
  try {
    const r = await distillation(fromLayersModel(layers), bundledDataset('penguins'), { seed: 1 });
    assert.ok(r.softTreeFidelity >= 0.9, `soft tree ${r.softTreeFidelity}`);
    assert.ok(r.treeFidelity >= 0.9, `CART ${r.treeFidelity}`);
  } finally {
    layers.dispose();
  }
});
