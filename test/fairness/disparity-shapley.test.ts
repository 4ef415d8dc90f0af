import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { disparityShapley, featurePlayers } from '../../src/fairness/disparity-shapley.js';
import { attributionDisparity, groupAttributionDifference } from '../../src/fairness/attribution-difference.js';
import { shapleyValues } from '../../src/attribution/surrogate/shapley-values.js';
import { datasetFromArrays } from '../../src/core/dataset.js';
import { fromFunction } from '../../src/models/from-function.js';
import { LumenError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { bundledDataset } from '../../src/data/dataset-files.js';

const close = (a: number, b: number, tol = 1e-6): void => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);
const featureNames = ['g=A', 'g=B', 'a', 'b', 'c'];

// 80 rows; group B has larger a on average, b is independent noise, c is unused by the models.
function rows(): { x: number[][]; labels: number[] } {
  const rng = new Rng(5);
  const x: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 80; i++) {
    const b = i % 2;
    const a = 0.3 * rng.uniform() + 0.4 * b;
    x.push([1 - b, b, a, rng.uniform() - 0.5, rng.uniform()]);
    labels.push(Number(rng.uniform() < 0.3 + 0.4 * b));
  }
  return { x, labels };
}

// P(positive) = 0.3 + 0.2·[g=B] + 0.5·a + 0.1·b: linear, so every game below is additive.
const w = [0, 0.2, 0.5, 0.1, 0];
const linear = fromFunction((x) => tf.tidy(() => {
  const p = tf.add(0.3, tf.matMul(x, tf.tensor2d(w, [5, 1])));
  return tf.concat([tf.sub(1, p), p], 1);
}), { inputShape: [5], outputShape: [2], outputKind: 'probabilities' });
// Decides positive when a + 0.3·[g=B] > 0.45 (b and c unused).
const decision = fromFunction((x) => tf.tidy(() => {
  const z = tf.sub(tf.add(x.slice([0, 2], [-1, 1]), tf.mul(0.3, x.slice([0, 1], [-1, 1]))), 0.45);
  const p = tf.sigmoid(tf.mul(60, z));
  return tf.concat([tf.sub(1, p), p], 1);
}), { inputShape: [5], outputShape: [2], outputKind: 'probabilities' });

test('featurePlayers groups one-hot columns name=level as one player', () => {
  assert.deepEqual(featurePlayers(5, featureNames), { names: ['g', 'a', 'b', 'c'], columns: [[0, 1], [2], [3], [4]] });
});

test('disparityShapley of the mean-score gap of a linear model is w_j · (mean_B x_j − mean_A x_j), and the group means of its Shapley attributions agree (Lundberg 2020)', async () => {
  await useBackend();
  const { x, labels } = rows();
  const data = datasetFromArrays(x, { featureNames, labels });
  const before = tf.memory().numTensors;
  const e = await disparityShapley(linear, data, { sensitive: 'g', metric: 'mean score difference', convention: 'aif360', privileged: 'A', background: 16, seed: 3 });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  const mean = (j: number, g: number): number => x.filter((r) => r[1] === g).reduce((s, r) => s + r[j], 0) / 40;
  const expected = [0.2, 0.5 * (mean(2, 1) - mean(2, 0)), 0.1 * (mean(3, 1) - mean(3, 0)), 0];
  assert.deepEqual(e.featureNames, ['g', 'a', 'b', 'c']);
  e.values.forEach((v, j) => close(v, expected[j]));
  close(e.meta!.disparity as number, expected.reduce((s, v) => s + v, 0));
  close(e.meta!.efficiencyGap as number, 0, 1e-9);
  assert.equal(e.meta!.coalitions, 16);
  // the same split from per-row exact Shapley values (baseline zeros) averaged by group
  const d = await attributionDisparity(linear, data, (t) => shapleyValues(linear, t, { target: 1 }), { sensitive: 'g', convention: 'aif360', privileged: 'A' });
  const gap = (f: string): number => d.disparities!.find((r) => r.metric === f)!.value;
  close(gap('g=A') + gap('g=B'), e.values[0]);
  close(gap('a'), e.values[1]);
  close(gap('b'), e.values[2]);
  close(gap('c'), 0);
  assert.equal(d.meta!.attribution, 'shapley-values');
});

test('disparityShapley of a thresholded decision: the unused features get 0, the values add up to the demographic-parity gap, and sampling approaches the exact values', async () => {
  await useBackend();
  const { x, labels } = rows();
  const data = datasetFromArrays(x, { featureNames, labels });
  const exact = await disparityShapley(decision, data, { sensitive: 'g', background: 20, seed: 1 });
  assert.equal(exact.meta!.estimator, 'exact');
  close(exact.values[2], 0, 1e-12);
  close(exact.values[3], 0, 1e-12);
  close(exact.meta!.emptyCoalition as number, 0, 1e-12);
  // the model's own demographic-parity difference of its decisions
  const dec = x.map((r) => Number(r[2] + 0.3 * r[1] - 0.45 > 0));
  const sel = (g: number): number => dec.filter((_, i) => x[i][1] === g).reduce((s, v) => s + v, 0) / 40;
  close(exact.values.reduce((s, v) => s + v, 0), Math.abs(sel(1) - sel(0)), 1e-6);
  assert.ok(exact.values[0] > 0.05 && exact.values[1] > 0.05, `both the attribute and a carry the gap: ${exact.values}`);
  const sampled = await disparityShapley(decision, data, { sensitive: 'g', background: 20, seed: 1, estimator: 'permutation', permutations: 200 });
  const again = await disparityShapley(decision, data, { sensitive: 'g', background: 20, seed: 1, estimator: 'permutation', permutations: 200 });
  assert.deepEqual(sampled.values, again.values, 'same seed, same values');
  sampled.values.forEach((v, j) => close(v, exact.values[j], 0.02));
  close(sampled.meta!.efficiencyGap as number, 0, 1e-9);
  const eo = await disparityShapley(decision, data, { sensitive: 'g', metric: 'equal opportunity difference', background: 20, seed: 1 });
  close(eo.values[3], 0, 1e-12);
});

test('groupAttributionDifference: hand-computed means, both conventions, seeded bootstrap', () => {
  const values = [1, 0, 3, 0, 2, 4, 6, 8];
  const o = { groups: Int32Array.from([0, 0, 1, 1]), groupNames: ['A', 'B'] };
  const f = groupAttributionDifference(values, 2, o, { featureNames: ['u', 'v'] });
  assert.deepEqual(f.values, [[2, 4], [0, 6]]);
  assert.deepEqual(f.disparities!.map((d) => d.value), [2, 6]);
  const a = groupAttributionDifference(values, 2, o, { convention: 'aif360', privileged: 'B' });
  assert.deepEqual(a.disparities!.map((d) => d.value), [-2, -6]);
  const b1 = groupAttributionDifference(values, 2, o, { bootstrap: 50, seed: 2 });
  assert.deepEqual(b1, groupAttributionDifference(values, 2, o, { bootstrap: 50, seed: 2 }));
  assert.throws(() => groupAttributionDifference(values, 3, o), LumenError);
});

test('disparityShapley on the bundled penguins model (Sex as the sensitive attribute) and its errors', async () => {
  await useBackend();
  const { model: layers } = await loadBundledModel('penguins');
  const model = fromLayersModel(layers);
  const data = bundledDataset('penguins');
  const before = tf.memory().numTensors;
  const e = await disparityShapley(model, data, { sensitive: 'Sex', positiveClass: 'Adelie', background: 8, seed: 0 });
  assert.equal(tf.memory().numTensors, before);
  assert.ok(e.featureNames!.includes('Sex') && e.featureNames!.includes('Island'));
  close(e.meta!.efficiencyGap as number, 0, 1e-9);
  await assert.rejects(disparityShapley(model, data, { sensitive: 'Sex', positiveClass: 'Adelie', metric: 'parity' as never }), LumenError);
  await assert.rejects(disparityShapley(model, data, { sensitive: 'Sex', positiveClass: 'Adelie', convention: 'aif360' }), /privileged/);
});
