import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/core/random.js';
import { classifierAccuracy, fitClassifier } from '../../src/training/fit-classifier.js';
import { freshCopy } from '../../src/training/fresh-copy.js';

/** Two Gaussian blobs in 2-D, labels 0 / 1, separable by x₀ + x₁ = 0. */
function blobs(n: number, seed: number): { x: tf.Tensor2D; y: Int32Array } {
  const rng = new Rng(seed);
  const y = Int32Array.from({ length: n }, (_, i) => i % 2);
  const data = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < 2; j++) data[2 * i + j] = (y[i] ? 1.5 : -1.5) + 0.5 * rng.normal();
  return { x: tf.tensor2d(data, [n, 2]), y };
}

function mlp(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 4, inputShape: [2], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
  m.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
  return m;
}

const weights = (m: tf.LayersModel): number[][] => m.getWeights().map((w) => Array.from(w.dataSync()));

test('fitClassifier(model, x, labels) learns separable blobs, is reproducible with a seed, and leaks no tensors', async () => {
  await useBackend();
  const { x, y } = blobs(200, 1);
  const before = tf.memory().numTensors;
  const template = mlp();
  const a = await freshCopy(template, 7);
  const b = await freshCopy(template, 7);
  const fa = await fitClassifier(a, x, y, { epochs: 8, batchSize: 32, learningRate: 0.05, seed: 2 });
  await fitClassifier(b, x, y, { epochs: 8, batchSize: 32, learningRate: 0.05, seed: 2 });
  assert.deepEqual(weights(a), weights(b));
  assert.equal(fa.losses.length, 8);
  assert.ok(fa.losses[7] < fa.losses[0], `loss ${fa.losses[0]} → ${fa.losses[7]}`);
  assert.ok(classifierAccuracy(a, x, y) > 0.95);
  [template, a, b].forEach((m) => m.dispose());
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(fitClassifier(mlp(), x, y.slice(1)), /one label per example/);
  x.dispose();
});

test('freshCopy(model, seed) keeps the architecture, redraws kernels from the seed, keeps biases', async () => {
  await useBackend();
  const m = mlp();
  const c1 = await freshCopy(m, 11);
  const c2 = await freshCopy(m, 11);
  const c3 = await freshCopy(m, 12);
  assert.deepEqual(c1.layers.map((l) => l.getClassName()), m.layers.map((l) => l.getClassName()));
  assert.deepEqual(weights(c1), weights(c2));
  assert.notDeepEqual(weights(c1)[0], weights(c3)[0]);
  assert.notDeepEqual(weights(c1)[0], weights(m)[0]);
  assert.deepEqual(weights(c1)[1], [0, 0, 0, 0], 'zero biases stay zero');
  const limit = Math.sqrt(6 / (2 + 4));
  assert.ok(weights(c1)[0].every((v) => Math.abs(v) <= limit), 'Glorot-uniform bound');
  [m, c1, c2, c3].forEach((t) => t.dispose());
});
