import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { shapleyValueSampling } from '../../../src/attribution/surrogate/shapley-value-sampling.js';
import { useBackend } from '../../../src/engine/backend.js';
import { countingModel, maxAbsDiff, tanhMlp } from '../../toy-models.js';
import { exactShapley, gameModel, majorityGame, ones } from './games.js';

const WEIGHTS = [4, 3, 2, 1, 1];
const QUOTA = 6;
const majority = (s: number): number => (WEIGHTS.reduce((a, w, j) => a + ((s >> j) & 1) * w, 0) >= QUOTA ? 1 : 0);

for (const antithetic of [true, false]) {
  test(`shapleyValueSampling is unbiased on the weighted majority game [6; 4, 3, 2, 1, 1] (antithetic ${antithetic}): the mean of 400 independent estimates is within 4 standard errors of the truth`, async () => {
    await useBackend();
    const truth = exactShapley(5, majority);
    const reps = 400;
    // 400 copies of the same example: each draws its own orderings from the seeded stream.
    const x = ones(reps, 5);
    const a = await shapleyValueSampling(majorityGame(QUOTA, WEIGHTS), x, { target: 0, samples: 2, antithetic, seed: 9, batchSize: 256 });
    const est = await a.values.data();
    for (let j = 0; j < 5; j++) {
      let mean = 0;
      for (let r = 0; r < reps; r++) mean += est[r * 5 + j] / reps;
      let variance = 0;
      for (let r = 0; r < reps; r++) variance += (est[r * 5 + j] - mean) ** 2 / (reps - 1);
      const se = Math.sqrt(variance / reps);
      assert.ok(se > 0, `player ${j}: estimates vary`);
      assert.ok(Math.abs(mean - truth[j]) < 4 * se, `player ${j}: mean ${mean}, truth ${truth[j]}, se ${se}`);
    }
    a.dispose();
    x.dispose();
  });
}

test('shapleyValueSampling: every estimate is efficient (Σφ = v(F) − v(∅)); an antithetic pair is exact on a game with pairwise interactions only, independent orderings are not', async () => {
  await useBackend();
  // v(S) = Σ_{j∈S} a_j + Σ_{i<j∈S} B_ij: φ_j = a_j + ½ Σ_i B_ij, and an ordering with its reverse sees every pair once each way.
  const k = 6;
  const a = [1, -2, 0.5, 3, 0, -1];
  const b = Array.from({ length: k * k }, (_, i) => {
    const [r, c] = [Math.floor(i / k), i % k];
    return r === c ? 0 : Math.sin(3 * Math.min(r, c) + 7 * Math.max(r, c));
  });
  const model = gameModel(k, (x) => x.matMul(tf.tensor2d(a, [k, 1])).reshape([-1]).add(x.matMul(tf.tensor2d(b, [k, k])).mul(x).sum(1).mul(0.5)) as tf.Tensor1D);
  const truth = a.map((aj, j) => aj + 0.5 * Array.from({ length: k }, (_, i) => b[i * k + j]).reduce((s, v) => s + v, 0));
  const x = ones(20, k);
  const paired = await shapleyValueSampling(model, x, { target: 0, samples: 2, antithetic: true, seed: 3 });
  const independent = await shapleyValueSampling(model, x, { target: 0, samples: 2, antithetic: false, seed: 3 });
  for (const d of [...(paired.meta.delta as number[]), ...(independent.meta.delta as number[])]) assert.ok(Math.abs(d) < 1e-5);
  const expected = Array.from({ length: 20 }, () => truth).flat();
  assert.ok((await maxAbsDiff(paired.values, expected)) < 1e-5);
  assert.ok((await maxAbsDiff(independent.values, expected)) > 0.05);
  paired.dispose();
  independent.dispose();
  x.dispose();
});

test('shapleyValueSampling: same seed, same values; rows batched across examples (2 × (2 + 4·3) rows at batchSize 10 = 3 calls)', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(6);
  const spy = countingModel(model);
  const x = tf.tensor2d([[1, -1, 0.5, 2], [0.1, 0.2, 0.3, -0.4]]);
  const before = tf.memory().numTensors;
  const a = await shapleyValueSampling(spy.model, x, { target: [0, 1], samples: 4, seed: 1, batchSize: 10 });
  assert.equal(spy.calls(), 3);
  assert.equal(a.meta.permutations, 4);
  const b = await shapleyValueSampling(model, x, { target: [0, 1], samples: 4, seed: 1, batchSize: 3 });
  assert.equal(await maxAbsDiff(a.values, b.values), 0);
  a.dispose();
  b.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  layers.dispose();
});

test('shapleyValueSampling refuses a bad sample count and stops on abort', async () => {
  await useBackend();
  const x = ones(1, 5);
  await assert.rejects(shapleyValueSampling(majorityGame(QUOTA, WEIGHTS), x, { target: 0, samples: -1 }), /samples must be a positive integer/);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(shapleyValueSampling(majorityGame(QUOTA, WEIGHTS), x, { target: 0, signal: controller.signal }), /aborted/);
  x.dispose();
});
