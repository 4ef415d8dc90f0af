import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { lime } from '../../../src/attribution/surrogate/lime.js';
import { Rng } from '../../../src/core/random.js';
import { useBackend } from '../../../src/engine/backend.js';
import { fromFunction } from '../../../src/models/from-function.js';
import { superpixelBatch } from '../../../src/data/superpixels/superpixel-spec.js';
import { countingModel, maxAbsDiff } from '../../toy-models.js';
import { gameModel } from './games.js';

test('lime (tabular, quartiles) on a linear model ranks features by |coefficient × range|, with the coefficients\' signs', async () => {
  await useBackend();
  const w = [8, -1, 0.5, 0.3];
  const range = [0.25, 3, 10, 1]; // |w × range| = 2, 3, 5, 0.3: not the order of |w| nor of the ranges
  const model = gameModel(4, (x) => x.matMul(tf.tensor2d(w, [4, 1])).reshape([-1]) as tf.Tensor1D);
  const rng = new Rng(4);
  const train = tf.tensor2d(Array.from({ length: 500 }, () => range.map((r) => r * rng.uniform())));
  const x = tf.tensor2d([range.map((r) => 0.9 * r)]);
  const a = await lime(model, x, { target: 0, trainingData: train, seed: 2 });
  const coef = Array.from(await a.values.data());
  const order = coef.map((c, j) => [Math.abs(c), j]).sort((p, q) => q[0] - p[0]).map((p) => p[1]);
  assert.deepEqual(order, [2, 1, 0, 3], `coefficients ${coef}`);
  coef.forEach((c, j) => assert.equal(Math.sign(c), Math.sign(w[j])));
  // The instance is in every feature's top quartile: the indicator's effect is about w·(E[x | top] − E[x | rest]) = w·range/2.
  coef.forEach((c, j) => assert.ok(Math.abs(c - (w[j] * range[j]) / 2) < 0.15 * Math.abs(w[j] * range[j]), `feature ${j}: ${c}`));
  const r2 = a.meta.r2 as number[];
  assert.ok(r2[0] > 0.5 && r2[0] <= 1, `R² ${r2[0]}`);
  assert.ok(Math.abs((a.meta.score as number[])[0] - w.reduce((s, wj, j) => s + wj * 0.9 * range[j], 0)) < 1e-4, 'score is f(x)');
  tf.dispose([train, x, a.values]);
});

test('lime (tabular, no discretisation) on a linear model: coefficients are w × std, exactly (ridge 0)', async () => {
  await useBackend();
  const w = [2, -1, 0.5];
  const model = gameModel(3, (x) => x.matMul(tf.tensor2d(w, [3, 1])).reshape([-1]) as tf.Tensor1D);
  const rng = new Rng(8);
  const rows = Array.from({ length: 300 }, () => [rng.normal() * 2, rng.normal() + 3, rng.normal() * 0.1]);
  const train = tf.tensor2d(rows);
  const std = [0, 1, 2].map((j) => {
    const m = rows.reduce((s, r) => s + r[j], 0) / rows.length;
    return Math.sqrt(rows.reduce((s, r) => s + (r[j] - m) ** 2, 0) / rows.length);
  });
  const x = tf.tensor2d([[0.5, 3.2, -0.1]]);
  const a = await lime(model, x, { target: 0, trainingData: train, discretize: false, ridge: 0, samples: 400, seed: 1 });
  assert.ok((await maxAbsDiff(a.values, w.map((wj, j) => wj * std[j]))) < 1e-3);
  assert.ok(Math.abs((a.meta.r2 as number[])[0] - 1) < 1e-6);
  assert.ok(Math.abs((a.meta.localPrediction as number[])[0] - (a.meta.score as number[])[0]) < 1e-3);
  tf.dispose([train, x, a.values]);
});

test('lime over text tokens: an additive bag-of-tokens model is fitted exactly (ridge 0): coefficient = each token\'s score, R² = 1', async () => {
  await useBackend();
  const vocab = 6;
  const embedding = [0, 1.5, -2, 0.25, 3, -0.75]; // token 0 is the pad token (score 0), the baseline
  const model = fromFunction((ids) => tf.tidy(() => tf.oneHot(ids.toInt(), vocab).toFloat().mul(tf.tensor1d(embedding)).sum([1, 2]).reshape([-1, 1])), { inputShape: [5], outputShape: [1] });
  const tokens = [1, 4, 2, 5, 3];
  const x = tf.tensor2d([tokens]);
  const a = await lime(model, x, { target: 0, mode: 'mask', baseline: 0, ridge: 0, samples: 200, seed: 3 });
  assert.ok((await maxAbsDiff(a.values, tokens.map((t) => embedding[t]))) < 1e-4);
  assert.ok(Math.abs((a.meta.r2 as number[])[0] - 1) < 1e-9);
  assert.ok(Math.abs((a.meta.intercept as number[])[0]) < 1e-4);
  tf.dispose([x, a.values]);
});

test('lime over superpixels: on a linear image model each segment gets Σ w·x over its pixels (ridge 0)', async () => {
  await useBackend();
  const rng = new Rng(5);
  const h = 12;
  const weights = tf.tensor2d(rng.normals(h * h * 3), [h * h * 3, 1]);
  const model = fromFunction((x) => tf.tidy(() => x.reshape([x.shape[0], -1]).matMul(weights)), { inputShape: [h, h, 3], outputShape: [1] });
  const pixels = Float32Array.from({ length: h * h * 3 }, (_, i) => ((i % 3) + Math.floor(i / (h * 6))) / 6);
  const x = tf.tensor4d(pixels, [1, h, h, 3]);
  const mask = superpixelBatch('slic:6', x);
  const labels = await mask.data();
  const wdata = await weights.data();
  const segment = new Map<number, number>();
  for (let p = 0; p < h * h; p++) for (let c = 0; c < 3; c++) segment.set(labels[p], (segment.get(labels[p]) ?? 0) + wdata[p * 3 + c] * pixels[p * 3 + c]);
  const before = tf.memory().numTensors;
  const spy = countingModel(model);
  const a = await lime(spy.model, x, { target: 0, featureMask: mask, ridge: 0, samples: 300, batchSize: 64 });
  assert.equal(spy.calls(), 5);
  const expected = Array.from({ length: h * h * 3 }, (_, i) => segment.get(labels[Math.floor(i / 3)]) as number);
  assert.ok((await maxAbsDiff(a.values, expected)) < 1e-3);
  a.dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, mask, weights]);
});

test('lime is seeded (same seed → same values, another seed → other values) and leaks nothing', async () => {
  await useBackend();
  const model = gameModel(3, (x) => tf.tanh(x.prod(1)) as unknown as tf.Tensor1D);
  const x = tf.tensor2d([[1, 2, -1], [0.5, -0.5, 2], [1, 1, 1]]);
  const before = tf.memory().numTensors;
  const a = await lime(model, x, { target: 0, seed: 1, samples: 300 });
  const b = await lime(model, x, { target: 0, seed: 1, samples: 300 });
  const c = await lime(model, x, { target: 0, seed: 2, samples: 300 });
  assert.equal(await maxAbsDiff(a.values, b.values), 0);
  assert.ok((await maxAbsDiff(a.values, c.values)) > 0);
  assert.ok((a.meta.warnings as string[])[0].includes('no trainingData'));
  [a, b, c].forEach((r) => r.dispose());
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test('lime refuses bad options with LumenErrors naming what was expected', async () => {
  await useBackend();
  const model = gameModel(3, (x) => x.sum(1) as tf.Tensor1D);
  const x = tf.tensor2d([[1, 2, 3]]);
  const wrong = tf.ones([5, 4]);
  const mask = tf.tensor1d([0, 0, 1], 'int32');
  await assert.rejects(lime(model, x, { target: 0 }), /give trainingData \[M, 3\]/);
  await assert.rejects(lime(model, x, { target: 0, trainingData: wrong }), /trainingData must be \[M, 3\]; found \[5,4\]/);
  await assert.rejects(lime(model, x, { target: 0, mode: 'tabular', featureMask: mask }), /featureMask is for mode 'mask'/);
  await assert.rejects(lime(model, x, { target: 0, mode: 'mask', trainingData: wrong }), /trainingData is for mode 'tabular'/);
  await assert.rejects(lime(model, x, { target: 0, samples: 1 }), /samples must be an integer ≥ 2/);
  await assert.rejects(lime(model, x, { target: 0, kernelWidth: 0 }), /kernelWidth must be > 0/);
  await assert.rejects(lime(model, x, { target: 0, mode: 'pixels' as 'mask' }), /mode must be/);
  tf.dispose([x, wrong, mask]);
});
