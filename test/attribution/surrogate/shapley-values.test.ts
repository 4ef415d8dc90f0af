import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { shapleyValues } from '../../../src/attribution/surrogate/shapley-values.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { fixtureArray, loadFixture } from '../../../src/models/fixture.js';
import { repoPath } from '../../helpers.js';
import { countingModel, maxAbsDiff, tanhMlp } from '../../toy-models.js';
import { exactShapley, gameModel, gloveGame, majorityGame, ones } from './games.js';

test('shapleyValues on the glove game gives (1/6, 1/6, 2/3), by subsets and by permutations', async () => {
  await useBackend();
  const x = ones(1, 3);
  for (const enumerate of ['subsets', 'permutations'] as const) {
    const a = await shapleyValues(gloveGame(), x, { target: 0, enumerate });
    assert.ok((await maxAbsDiff(a.values, [1 / 6, 1 / 6, 2 / 3])) < 1e-6, enumerate);
    a.dispose();
  }
  x.dispose();
});

test('shapleyValues on the weighted majority game [3; 2, 1, 1, 0] gives (2/3, 1/6, 1/6, 0): the zero-weight player is a dummy', async () => {
  await useBackend();
  const x = ones(1, 4);
  const a = await shapleyValues(majorityGame(3, [2, 1, 1, 0]), x, { target: 0 });
  assert.ok((await maxAbsDiff(a.values, [2 / 3, 1 / 6, 1 / 6, 0])) < 1e-6);
  a.dispose();
  x.dispose();
});

test('shapleyValues satisfies efficiency, symmetry and dummy on a random game (v from a table), matching a brute-force sum', async () => {
  await useBackend();
  const k = 5;
  // v(S) from a seeded table, with players 1 and 3 interchangeable and player 4 a dummy.
  const canon = (s: number): number => {
    const swapped = (s & ~0b1010) | (((s >> 1) & 1) << 3) | (((s >> 3) & 1) << 1);
    return Math.min(s & 0b01111, swapped & 0b01111);
  };
  const table = Array.from({ length: 16 }, (_, i) => Math.sin(3.7 * i + 1) * 2);
  const v = (s: number): number => table[canon(s)];
  const model = gameModel(k, (x) => {
    const bits = x.matMul(tf.tensor2d([1, 2, 4, 8, 16], [5, 1])).reshape([-1]);
    const idx = Array.from(bits.dataSync(), (b) => v(Math.round(b)));
    return tf.tensor1d(idx);
  });
  const x = ones(1, k);
  const a = await shapleyValues(model, x, { target: 0, batchSize: 7 });
  const phi = Array.from(await a.values.data());
  const truth = exactShapley(k, v);
  phi.forEach((p, j) => assert.ok(Math.abs(p - truth[j]) < 1e-5, `player ${j}: ${p} vs ${truth[j]}`));
  const sum = phi.reduce((s, p) => s + p, 0);
  assert.ok(Math.abs(sum - (v(31) - v(0))) < 1e-5, 'efficiency');
  assert.ok(Math.abs(phi[1] - phi[3]) < 1e-6, 'symmetry');
  assert.ok(Math.abs(phi[4]) < 1e-6, 'dummy');
  assert.ok(Math.abs(phi[1]) > 1e-3, 'the symmetric players are not trivially zero');
  assert.ok(Math.abs((a.meta.delta as number[])[0]) < 1e-5);
  a.dispose();
  x.dispose();
});

test("shapleyValues reproduces the fixtures' float64 recomputation on the mlp and sat models", async () => {
  await useBackend();
  for (const name of ['mlp', 'sat']) {
    const fx = loadFixture(repoPath('test', 'fixtures', `${name}.json`));
    const entry = (fx.json.methods ?? []).find((m) => m.id === 'shapley_values_exact');
    assert.ok(entry);
    const ref = fixtureArray(entry.recomputed_float64 as Parameters<typeof fixtureArray>[0]);
    const target = (entry.attribute_kwargs as { target: number[] }).target;
    const a = await shapleyValues(fx.model, fx.inputs, { target, baseline: 0, enumerate: 'permutations' });
    let scale = 0;
    for (const r of ref.data) scale = Math.max(scale, Math.abs(r));
    const err = await maxAbsDiff(a.values, ref.data);
    assert.ok(err < 2e-6 * scale + 1e-7, `${name}: ${err}`);
    a.dispose();
    fx.dispose();
  }
});

test('shapleyValues with a featureMask gives every scalar its group value; groups of a linear model get Σ w·x', async () => {
  await useBackend();
  const w = [1, -2, 3, 0.5, 4, -1];
  const model = gameModel(6, (x) => x.matMul(tf.tensor2d(w, [6, 1])).reshape([-1]) as tf.Tensor1D);
  const x = tf.tensor2d([[1, 2, 3, 4, 5, 6]]);
  const mask = tf.tensor1d([7, 7, 2, 2, 2, 9], 'int32');
  const a = await shapleyValues(model, x, { target: 0, featureMask: mask, baseline: 1 });
  const g7 = 1 * 0 + -2 * 1;
  const g2 = 3 * 2 + 0.5 * 3 + 4 * 4;
  const g9 = -1 * 5;
  assert.ok((await maxAbsDiff(a.values, [g7, g7, g2, g2, g2, g9])) < 1e-4);
  assert.deepEqual(a.meta.featureLabels, [[2, 7, 9]]);
  a.dispose();
  tf.dispose([x, mask]);
});

test('shapleyValues sends all 2^K coalitions of all examples in batches: 2 examples × 16 coalitions at batchSize 5 is 7 model calls', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(3);
  const spy = countingModel(model);
  const x = tf.tensor2d([[1, -1, 0.5, 2], [0.1, 0.2, 0.3, -0.4]]);
  const before = tf.memory().numTensors;
  const a = await shapleyValues(spy.model, x, { target: [0, 2], batchSize: 5 });
  assert.equal(spy.calls(), 7);
  assert.equal(a.meta.modelCalls, 7);
  a.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  x.dispose();
  layers.dispose();
});

test('shapleyValues refuses too many features, bad masks and bad options with LumenErrors', async () => {
  await useBackend();
  const model = gameModel(12, (x) => x.sum(1) as tf.Tensor1D);
  const x = ones(1, 12);
  const short = tf.tensor1d([0, 1, 2], 'int32');
  const negative = tf.fill([12], -1, 'int32');
  const wrong = tf.ones([1, 5]);
  const before = tf.memory().numTensors;
  await assert.rejects(shapleyValues(model, x, { target: 0, enumerate: 'permutations' }), /at most 10 features; found 12/);
  await assert.rejects(shapleyValues(model, x, { target: 0, featureMask: short }), /featureMask shape \[3\]/);
  await assert.rejects(shapleyValues(model, x, { target: 0, featureMask: negative }), /non-negative integers/);
  await assert.rejects(shapleyValues(model, x, { target: 0, enumerate: 'orderings' as 'subsets' }), LumenError);
  await assert.rejects(shapleyValues(model, x, { target: 3 }), /out of range/);
  await assert.rejects(shapleyValues(model, x, { target: 0, featureNames: ['a'] }), /featureNames has 1 names/);
  await assert.rejects(shapleyValues(model, wrong, { target: 0 }), /input shape/);
  assert.equal(tf.memory().numTensors, before, 'a refused call leaves no tensor behind');
  tf.dispose([x, short, negative, wrong]);
});
