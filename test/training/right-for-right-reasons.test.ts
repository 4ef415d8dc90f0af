import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/core/random.js';
import { LumenError } from '../../src/core/errors.js';
import { classifierAccuracy, fitClassifier } from '../../src/training/fit-classifier.js';
import { rightForRightReasons } from '../../src/training/right-for-right-reasons.js';

const SIDE = 4;
const D = SIDE * SIDE;

/**
 * 4×4 "images" of Gaussian pixels whose label is whether the centre 2×2 patch sums above 0. With
 * `shortcut`, the top-left corner pixel is ±2 by the label (training only); without it, it is ±2 at
 * random, so a model that reads the corner fails there.
 */
function images(n: number, seed: number, shortcut: boolean): { x: tf.Tensor2D; y: Int32Array } {
  const rng = new Rng(seed);
  const data = new Float32Array(n * D);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < D; d++) data[i * D + d] = rng.normal();
    const centre = data[i * D + 5] + data[i * D + 6] + data[i * D + 9] + data[i * D + 10];
    y[i] = centre > 0 ? 1 : 0;
    data[i * D] = shortcut ? (y[i] ? 2 : -2) : (rng.uniform() < 0.5 ? 2 : -2);
  }
  return { x: tf.tensor2d(data, [n, D]), y };
}

function mlp(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 16, inputShape: [D], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 11 }) }));
  m.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 12 }) }));
  return m;
}

/** Share of the mean absolute input gradient (of the summed log-probabilities) on the corner pixel. */
function cornerShare(model: tf.LayersModel, x: tf.Tensor): number {
  return tf.tidy(() => {
    const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.logSoftmax(model.predict(xx) as tf.Tensor)))(x).abs().mean(0);
    const v = Array.from(g.dataSync());
    return v[0] / v.reduce((s, a) => s + a, 0);
  });
}

test('rightForRightReasons(annotations) moves the attribution off a planted shortcut and raises shortcut-free accuracy', async () => {
  await useBackend();
  const train = images(600, 1, true);
  const clean = images(600, 2, false);
  const annotations = tf.tidy(() => tf.oneHot(tf.zeros([600], 'int32'), D).toFloat());
  const before = tf.memory().numTensors;
  const plain = mlp();
  const guarded = mlp();
  const opts = { epochs: 12, batchSize: 50, learningRate: 0.01, seed: 5 };
  await fitClassifier(plain, train.x, train.y, opts);
  await fitClassifier(guarded, train.x, train.y, { ...opts, penalty: rightForRightReasons({ annotations, lambda: 10 }) });
  const shares = [cornerShare(plain, clean.x), cornerShare(guarded, clean.x)];
  const acc = [classifierAccuracy(plain, clean.x, clean.y), classifierAccuracy(guarded, clean.x, clean.y)];
  // both fit the training set (the shortcut alone gives 100 %)
  assert.ok(classifierAccuracy(plain, train.x, train.y) > 0.95);
  assert.ok(classifierAccuracy(guarded, train.x, train.y) > 0.85, `guarded train accuracy ${classifierAccuracy(guarded, train.x, train.y)}`);
  assert.ok(shares[0] > 0.2, `the unregularised model reads the corner: share ${shares[0]}`);
  assert.ok(shares[1] < shares[0] / 10, `corner share ${shares[0]} → ${shares[1]}`);
  assert.ok(acc[1] > acc[0] + 0.1, `shortcut-free accuracy ${acc[0]} → ${acc[1]}`);
  assert.ok(acc[1] > 0.85, `shortcut-free accuracy ${acc[1]}`);
  console.log(JSON.stringify({ cornerShare: shares, shortcutFreeAccuracy: acc }));
  plain.dispose();
  guarded.dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([train.x, clean.x, annotations]);
});

test('rightForRightReasons rejects annotations of the wrong shape before training', async () => {
  await useBackend();
  const x = tf.zeros([4, D]);
  const m = mlp();
  const bad = tf.zeros([4, D + 1]);
  await assert.rejects(fitClassifier(m, x, [0, 1, 0, 1], { epochs: 1, penalty: rightForRightReasons({ annotations: bad }) }), (e: unknown) => e instanceof LumenError && /annotations \[4,17\]/.test((e as Error).message));
  assert.throws(() => rightForRightReasons({ annotations: bad, lambda: -1 }), /lambda must be a number ≥ 0/);
  tf.dispose([x, bad]);
  m.dispose();
});
