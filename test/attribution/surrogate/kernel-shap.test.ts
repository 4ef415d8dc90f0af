import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { kernelShap } from '../../../src/attribution/surrogate/kernel-shap.js';
import { shapleyKernelCoalitions, shapleyKernelWeight } from '../../../src/attribution/surrogate/coalition-sampler.js';
import { shapleyValues } from '../../../src/attribution/surrogate/shapley-values.js';
import { Rng } from '../../../src/core/random.js';
import { useBackend } from '../../../src/engine/backend.js';
import { fromFunction } from '../../../src/models/from-function.js';
import { countingModel, maxAbsDiff, tanhMlp } from '../../toy-models.js';
import { gameModel, gloveGame, ones } from './games.js';

/** A smooth non-additive black box on 10 features (pairwise products inside a tanh), seeded. */
function interactingModel(k: number): ReturnType<typeof fromFunction> {
  const rng = new Rng(11);
  const w = tf.tensor2d(rng.normals(k * 3), [k, 3]);
  const v = tf.tensor2d(rng.normals(3), [3, 1]);
  return fromFunction((x) => tf.tidy(() => {
    const h = x.matMul(w);
    return tf.tanh(h).mul(h).matMul(v);
  }), { inputShape: [k], outputShape: [1], name: 'interacting' });
}

test('kernelShap with every coalition enumerated equals the exact Shapley values to 1e-6', async () => {
  await useBackend();
  const k = 8;
  const model = interactingModel(k);
  const x = tf.tensor2d([Array.from({ length: k }, (_, j) => Math.cos(j) * 1.5)]);
  const exact = await shapleyValues(model, x, { target: 0 });
  const ks = await kernelShap(model, x, { target: 0, samples: 2 ** k - 2 });
  assert.deepEqual(ks.meta.exact, [true]);
  const scale = Math.max(...Array.from(await exact.values.data(), Math.abs));
  assert.ok(scale > 0.1);
  assert.ok((await maxAbsDiff(ks.values, exact.values)) < 1e-6 * Math.max(1, scale));
  tf.dispose([x, exact.values, ks.values]);
});

test('kernelShap on the glove game (enumerated) gives (1/6, 1/6, 2/3)', async () => {
  await useBackend();
  const x = ones(1, 3);
  const a = await kernelShap(gloveGame(), x, { target: 0 });
  assert.ok((await maxAbsDiff(a.values, [1 / 6, 1 / 6, 2 / 3])) < 1e-6);
  tf.dispose([x, a.values]);
});

test('kernelShap with sampling: its error to the exact values falls as samples grow (seeded, averaged over 4 seeds)', async () => {
  await useBackend();
  const k = 12;
  const model = interactingModel(k);
  const x = tf.tensor2d([Array.from({ length: k }, (_, j) => Math.sin(2 * j + 1) * 1.5)]);
  const exact = await shapleyValues(model, x, { target: 0, batchSize: 512 });
  const truth = await exact.values.data();
  const error = async (samples: number): Promise<number> => {
    let sum = 0;
    for (const seed of [1, 2, 3, 4]) {
      const a = await kernelShap(model, x, { target: 0, samples, seed, batchSize: 512 });
      assert.deepEqual(a.meta.exact, [false]);
      const got = await a.values.data();
      let sq = 0;
      for (let j = 0; j < k; j++) sq += (got[j] - truth[j]) ** 2;
      sum += Math.sqrt(sq);
      // Efficiency holds exactly whatever the sample.
      assert.ok(Math.abs((a.meta.delta as number[])[0]) < 1e-6);
      a.dispose();
    }
    return sum / 4;
  };
  const coarse = await error(100);
  const fine = await error(1500);
  assert.ok(fine < coarse / 2, `error ${coarse} at 100 samples, ${fine} at 1500`);
  assert.ok(coarse > 1e-4, 'the coarse estimate is not already exact');
  tf.dispose([x, exact.values]);
});

test('kernelShap is exact on a linear model whatever the budget: φ_j = w_j (x_j − b_j)', async () => {
  await useBackend();
  const w = [0.5, -2, 1, 3, -1, 0.25, 2, -0.5, 1.5, 1];
  const model = gameModel(10, (x) => x.matMul(tf.tensor2d(w, [10, 1])).reshape([-1]) as tf.Tensor1D);
  const x = tf.tensor2d([w.map((_, j) => j - 4)]);
  const a = await kernelShap(model, x, { target: 0, samples: 60, baseline: 0.5, seed: 5 });
  assert.ok((await maxAbsDiff(a.values, w.map((wj, j) => wj * (j - 4 - 0.5)))) < 1e-4);
  tf.dispose([x, a.values]);
});

test('shapleyKernelCoalitions: enumerated weights are the Shapley kernel; paired samples come with complements; weights sum to 1 when sampling', () => {
  const all = shapleyKernelCoalitions(4, 14, new Rng(1), true);
  assert.equal(all.count, 14);
  assert.ok(all.exact);
  for (let r = 0; r < all.count; r++) {
    const size = all.rows.subarray(r * 4, r * 4 + 4).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(all.weights[r] - shapleyKernelWeight(4, size)) < 1e-15);
  }
  const k = 16;
  const some = shapleyKernelCoalitions(k, 400, new Rng(2), true);
  assert.ok(!some.exact);
  assert.ok(some.count <= 400);
  const total = some.weights.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 1) < 1e-9, `weights sum to ${total}`);
  const keys = new Set<string>();
  for (let r = 0; r < some.count; r++) keys.add(some.rows.subarray(r * k, (r + 1) * k).join(''));
  assert.equal(keys.size, some.count, 'no coalition twice');
  for (const key of keys) assert.ok(keys.has([...key].map((c) => (c === '1' ? '0' : '1')).join('')), 'every coalition has its complement');
  // Sizes 1 and 15 are fully enumerated first (32 rows fit the budget at their kernel share).
  let singles = 0;
  for (const key of keys) if ([...key].filter((c) => c === '1').length === 1) singles++;
  assert.equal(singles, 16);
});

test('kernelShap batches all examples\' coalitions together and does not leak', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(4);
  const spy = countingModel(model);
  const x = tf.tensor2d([[1, -1, 0.5, 2], [0.1, 0.2, 0.3, -0.4]]);
  const before = tf.memory().numTensors;
  const a = await kernelShap(spy.model, x, { target: [0, 1], batchSize: 8 });
  // 2 examples × (14 coalitions + ∅ + F) = 32 rows → 4 calls.
  assert.equal(spy.calls(), 4);
  assert.equal(a.meta.modelCalls, 4);
  a.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  layers.dispose();
});

test('kernelShap refuses a bad sample count', async () => {
  await useBackend();
  const x = ones(1, 3);
  await assert.rejects(kernelShap(gloveGame(), x, { target: 0, samples: 0 }), /samples must be a positive integer/);
  await assert.rejects(kernelShap(gloveGame(), x, { target: 0, samples: 2.5 }), /samples must be a positive integer/);
  x.dispose();
});
