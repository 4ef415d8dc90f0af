import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../../src/engine/backend.js';
import { groundTruthData, groundTruthTensor, GROUND_TRUTH_SIZE } from '../../../src/metrics/benchmark/ground-truth-data.js';
import { groundTruthBenchmark, GROUND_TRUTH_METRICS } from '../../../src/metrics/benchmark/ground-truth-benchmark.js';
import { metricById } from '../../../src/metrics/registry.js';
import { rankScores } from '../../../src/metrics/rank-scores.js';
import { Rng } from '../../../src/core/random.js';
import { loadBundledModel } from '../../../src/models/bundled.js';
import { fromLayersModel } from '../../../src/models/from-layers-model.js';

const P = GROUND_TRUTH_SIZE * GROUND_TRUTH_SIZE;

test('groundTruthData(n, {seed}) is reproducible; the digit box and the distractors never overlap; only the digit differs from its ablation', () => {
  const a = groundTruthData(12, { seed: 4 });
  const b = groundTruthData(12, { seed: 4 });
  const c = groundTruthData(12, { seed: 5 });
  assert.deepEqual(a.images, b.images);
  assert.notDeepEqual(a.images, c.images);
  assert.ok(a.labels.every((l) => l >= 0 && l <= 9));
  for (let i = 0; i < a.count; i++) {
    const region = a.regions.subarray(i * P, (i + 1) * P);
    const area = region.reduce((s, v) => s + v, 0);
    assert.ok(area >= 6 && area <= 14 * 14, `digit box of ${area} pixels`);
    for (let q = 0; q < P; q++) {
      const k = i * P + q;
      assert.ok(!(region[q] && a.distractors[k]), 'a distractor inside the digit box');
      // Outside the box the digit adds only its faint margin (below the 0.2 that draws the box).
      if (!region[q]) assert.ok(a.images[k] - a.withoutRegion[k] <= 0.2 + 1e-6);
      if (!a.distractors[k]) assert.ok(Math.abs(a.images[k] - a.withoutDistractors[k]) < 1e-6);
    }
  }
  assert.ok(a.distractors.some((v) => v > 0));
  assert.throws(() => groundTruthData(0), /count must be a positive integer/);
  assert.throws(() => groundTruthData(2, { clutter: 1 }), /clutter must be in/);
});

test('groundTruthBenchmark on bundled:groundtruth: the model needs the digit, every method gets a rank on every metric, nothing leaks', async () => {
  await useBackend();
  const { model: lm } = await loadBundledModel('groundtruth');
  const model = fromLayersModel(lm);
  const data = groundTruthData(24, { seed: 0 });
  const before = tf.memory().numTensors;
  const r = await groundTruthBenchmark(model, data, { methods: ['saliency', 'grad-cam', 'cam'], keepMaps: 2 });
  assert.equal(tf.memory().numTensors, before);
  assert.ok(r.accuracy.images >= 0.75, `accuracy ${r.accuracy.images}`);
  assert.ok(r.accuracy.withoutRegion <= 0.3, `accuracy without the digit ${r.accuracy.withoutRegion}`);
  assert.deepEqual(r.methods, ['saliency', 'grad-cam']);
  assert.equal(r.skipped[0].method, 'cam', 'CAM needs global average pooling, which this model lacks');
  assert.deepEqual(r.metrics.map((m) => m.id).at(-1), 'distractor-mass');
  for (const m of r.metrics) {
    assert.deepEqual(m.results.map((x) => x.rank).sort(), [1, 2], m.id);
    assert.ok(m.results.every((x) => x.scores.length === 24));
  }
  assert.equal(r.maps.saliency.length, 2);
  assert.equal(r.maps.saliency[0].length, P);
  // Relevance on the digit box and on the distractors are shares of one total.
  const mass = r.metrics.find((m) => m.id === 'relevance-mass-accuracy')!.results[0].aggregate;
  const distractors = r.metrics.find((m) => m.id === 'distractor-mass')!.results[0].aggregate;
  assert.ok(mass + distractors <= 1 + 1e-9 && mass > 0 && distractors >= 0);
  lm.dispose();
});

test('on the ground-truth data an oracle attribution (the true digit box) ranks above a seeded random map on every localisation metric', async () => {
  await useBackend();
  const { model: lm } = await loadBundledModel('groundtruth');
  const model = fromLayersModel(lm);
  const data = groundTruthData(16, { seed: 3 });
  const shape = [data.count, GROUND_TRUTH_SIZE, GROUND_TRUTH_SIZE, 1];
  const x = groundTruthTensor(data);
  const masks = tf.tensor(data.regions, shape);
  const oracle = tf.tensor(data.regions, shape);
  const random = tf.tensor(new Rng(11).uniforms(data.count * P), shape);
  // The benchmark's own settings: the true labels as targets, |a|, k = the mean box area.
  const k = Math.max(1, Math.round(data.regions.reduce((t, v) => t + v, 0) / data.count));
  const options = { target: Array.from(data.labels), masks, abs: true, k };
  for (const id of GROUND_TRUTH_METRICS) {
    const m = metricById(id);
    const best = await m.run(model, x, oracle, options);
    const chance = await m.run(model, x, random, options);
    assert.deepEqual(rankScores([best.aggregate, chance.aggregate], m.direction), [1, 2], `${id}: oracle ${best.aggregate}, random ${chance.aggregate}`);
    // The box itself: every maximum is in the box, all relevance is in it, and every box pixel outranks every other.
    if (id !== 'top-k-intersection') assert.ok(Math.abs(best.aggregate - 1) < 1e-9, `${id}: oracle ${best.aggregate}`);
  }
  tf.dispose([x, masks, oracle, random]);
  lm.dispose();
});
