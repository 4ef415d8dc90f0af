import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/core/random.js';
import { completeness } from '../../src/metrics/completeness.js';
import { faithfulnessCorrelation } from '../../src/metrics/faithfulness-correlation.js';
import { faithfulnessEstimate } from '../../src/metrics/faithfulness-estimate.js';
import { infidelity } from '../../src/metrics/infidelity.js';
import { monotonicityNguyen } from '../../src/metrics/monotonicity-nguyen.js';
import { nonSensitivity } from '../../src/metrics/non-sensitivity.js';
import { pixelFlipping } from '../../src/metrics/pixel-flipping.js';
import { sensitivityN } from '../../src/metrics/sensitivity-n.js';
import { deletion } from '../../src/metrics/deletion.js';
import { insertion } from '../../src/metrics/insertion.js';
import { irof } from '../../src/metrics/irof.js';
import { imputeLinear } from '../../src/metrics/road.js';
import { countingModel, linearModel } from '../toy-models.js';

// y₀ = x·w with two weights exactly 0 (dummy features); y₁ = −y₀. Input × weight is the perfect attribution.
const w = [1.5, -2, 0.5, 0, 3, -1, 0, 2.5];
const toy = (): ReturnType<typeof linearModel> => linearModel(w.map((v) => [v, -v]));
const x = (): tf.Tensor2D => tf.tensor2d([[0.5, 1, -1, 2, 0.3, 1.5, -0.7, 0.8], [1, -0.5, 0.25, 1, -1, 0.5, 2, -0.2]]);
const perfect = (xt: tf.Tensor2D): tf.Tensor => tf.tidy(() => xt.mul(tf.tensor1d(w)));
const random = (seed: number): tf.Tensor => tf.tensor2d(new Rng(seed).normals(16), [2, 8]);

test('faithfulness correlation, faithfulness estimate and sensitivity-n are 1 for input × weight on a linear model, near 0 for random attributions', async () => {
  await useBackend();
  const { model, layers } = toy();
  const xt = x();
  const a = perfect(xt);
  const opts = { target: 0, baseline: 0, output: 'logits' as const };
  for (const v of (await faithfulnessCorrelation(model, xt, a, { ...opts, subsetSize: 3, runs: 30 })).scores) assert.ok(Math.abs(v - 1) < 1e-5, `correlation ${v}`);
  for (const v of (await faithfulnessEstimate(model, xt, a, opts)).scores) assert.ok(Math.abs(v - 1) < 1e-5, `estimate ${v}`);
  for (const v of (await sensitivityN(model, xt, a, { target: 0, sizes: [1, 2, 4], samples: 20 })).scores) assert.ok(Math.abs(v - 1) < 1e-5, `sensitivity-n ${v}`);
  // Random attributions: averaged over many seeds the correlation is at chance (|mean| small).
  let sum = 0;
  for (let s = 0; s < 10; s++) {
    const r = random(100 + s);
    sum += (await faithfulnessCorrelation(model, xt, r, { ...opts, subsetSize: 3, runs: 30, seed: s })).aggregate;
    r.dispose();
  }
  assert.ok(Math.abs(sum / 10) < 0.3, `random mean correlation ${sum / 10}`);
  tf.dispose([xt, a]);
  layers.dispose();
});

test('infidelity(gradient) is 0 on a linear model for any perturbation, and positive for a random attribution', async () => {
  await useBackend();
  const { model, layers } = toy();
  const xt = x();
  const grad = tf.tidy(() => tf.tensor1d(w).reshape([1, 8]).tile([2, 1]));
  const r = random(3);
  const perfectScores = (await infidelity(model, xt, grad, { target: 0, perturbation: { kind: 'noise', stdev: 0.3, samples: 20 } })).scores;
  for (const v of perfectScores) assert.ok(v < 1e-8, `infidelity ${v}`);
  for (const v of (await infidelity(model, xt, r, { target: 0 })).scores) assert.ok(v > 0.01);
  tf.dispose([xt, grad, r]);
  layers.dispose();
});

test('completeness(input × weight, zero baseline) has no gap on a linear model without bias; monotonicity correlation is 1; dummies are not non-sensitive', async () => {
  await useBackend();
  const { model, layers } = toy();
  const xt = x();
  const a = perfect(xt);
  const c = await completeness(model, xt, a, { target: 0 });
  for (const v of c.scores) assert.ok(v < 1e-5);
  for (const v of (await monotonicityNguyen(model, xt, a, { target: 0, baseline: 0, output: 'logits' })).scores) assert.ok(Math.abs(v - 1) < 1e-9);
  assert.deepEqual((await nonSensitivity(model, xt, a, { target: 0, baseline: 0, output: 'logits', eps: 1e-4 })).scores, [0, 0]);
  tf.dispose([xt, a]);
  layers.dispose();
});

test('pixelFlipping: the perfect order drops fastest (lowest AUC), its reverse slowest; batched into ⌈rows / batchSize⌉ calls', async () => {
  await useBackend();
  const { model: base, layers } = toy();
  const { model, calls } = countingModel(base);
  const xt = x();
  const a = perfect(xt);
  const rev = tf.neg(a);
  const best = await pixelFlipping(model, xt, a, { target: 0, baseline: 0, output: 'logits', batchSize: 16 });
  assert.equal(calls(), 2, '16 curve rows in one call and the start in one (the class is given, so no target call)');
  assert.equal(best.modelCalls, 2);
  const worst = await pixelFlipping(model, xt, rev, { target: 0, baseline: 0, output: 'logits' });
  best.scores.forEach((v, i) => assert.ok(v < worst.scores[i]));
  assert.equal(best.curves?.[0].length, 9, 'start + 8 steps');
  tf.dispose([xt, a, rev]);
  layers.dispose();
});

test('deletion, insertion and IROF rank the perfect attribution above its reverse', async () => {
  await useBackend();
  const { model, layers } = toy();
  const xt = x();
  const a = perfect(xt);
  const rev = tf.neg(a);
  const opts = { target: 0, output: 'logits' as const, baseline: 0 };
  assert.ok((await deletion(model, xt, a, { ...opts, steps: 8 })).aggregate < (await deletion(model, xt, rev, { ...opts, steps: 8 })).aggregate);
  assert.ok((await insertion(model, xt, a, { ...opts, steps: 8 })).aggregate > (await insertion(model, xt, rev, { ...opts, steps: 8 })).aggregate);
  const segments = tf.tensor2d([[0, 0, 1, 1, 2, 2, 3, 3], [0, 0, 1, 1, 2, 2, 3, 3]]);
  const good = await irof(model, xt, a, { target: 0, output: 'probabilities', baseline: 0, segments });
  const bad = await irof(model, xt, rev, { target: 0, output: 'probabilities', baseline: 0, segments });
  assert.ok(good.aggregate > bad.aggregate);
  tf.dispose([xt, a, rev, segments]);
  layers.dispose();
});

test('faithfulnessCorrelation is reproducible with a seed and changes with it; metrics leak no tensors', async () => {
  await useBackend();
  const { model, layers } = toy();
  const xt = x();
  const r = random(9);
  const before = tf.memory().numTensors;
  const a1 = await faithfulnessCorrelation(model, xt, r, { target: 0, seed: 5, runs: 10, subsetSize: 2 });
  const a2 = await faithfulnessCorrelation(model, xt, r, { target: 0, seed: 5, runs: 10, subsetSize: 2 });
  const a3 = await faithfulnessCorrelation(model, xt, r, { target: 0, seed: 6, runs: 10, subsetSize: 2 });
  await pixelFlipping(model, xt, r);
  await infidelity(model, xt, r, { perturbation: { kind: 'noise', samples: 5 } });
  await irof(model, xt, r, { cellSize: 2 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(a1.scores, a2.scores);
  assert.notDeepEqual(a1.scores, a3.scores);
  tf.dispose([xt, r]);
  layers.dispose();
});

test('imputeLinear keeps a constant image constant and stays within the known values', () => {
  const g = { h: 5, w: 5, c: 1 };
  const flat = new Float32Array(25).fill(0.7);
  const out = imputeLinear(flat, g, [6, 7, 12, 18], 0, new Rng(1));
  for (const v of out) assert.ok(Math.abs(v - 0.7) < 1e-6);
  const ramp = Float32Array.from({ length: 25 }, (_, q) => q % 5);
  const o2 = imputeLinear(ramp, g, [11, 12, 13], 0, new Rng(1));
  for (const q of [11, 12, 13]) assert.ok(o2[q] >= 0 && o2[q] <= 4);
  assert.ok(Math.abs(o2[12] - 2) < 1e-6, 'symmetric neighbourhood of a ramp gives its centre value');
});
