import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/core/random.js';
import { classifierAccuracy, fitClassifier } from '../../src/training/fit-classifier.js';
import { expoFidelity, neighbourhoodFidelity } from '../../src/training/expo-fidelity.js';

/** Points in [−2, 2]², labelled by a wavy boundary x₁ > sin(2x₀). */
function wave(n: number, seed: number): { x: tf.Tensor2D; y: Int32Array } {
  const rng = new Rng(seed);
  const data = rng.uniforms(2 * n, -2, 2);
  const y = Int32Array.from({ length: n }, (_, i) => (data[2 * i + 1] > Math.sin(2 * data[2 * i]) ? 1 : 0));
  return { x: tf.tensor2d(data, [n, 2]), y };
}

function mlp(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 32, inputShape: [2], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 21 }) }));
  m.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 22 }) }));
  return m;
}

test('neighbourhoodFidelity is 0 for a linear model (local linear fits are exact) and > 0 for a nonlinear one', async () => {
  await useBackend();
  const lin = tf.sequential();
  lin.add(tf.layers.dense({ units: 3, inputShape: [2], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  const x = tf.randomNormal([8, 2], 0, 1, 'float32', 3) as tf.Tensor2D;
  assert.ok(neighbourhoodFidelity(lin, x, { output: 'logits', seed: 1 }) < 1e-9);
  assert.ok(neighbourhoodFidelity(lin, x, { seed: 1 }) > 1e-6, 'softmax of a linear map is not linear');
  lin.dispose();
  x.dispose();
});

test('expoFidelity(options) improves the neighbourhood fidelity of local linear explanations at similar accuracy', async () => {
  await useBackend();
  const train = wave(400, 1);
  const held = wave(200, 2);
  const before = tf.memory().numTensors;
  const plain = mlp();
  const expo = mlp();
  const opts = { epochs: 15, batchSize: 50, learningRate: 0.02, seed: 4 };
  await fitClassifier(plain, train.x, train.y, opts);
  await fitClassifier(expo, train.x, train.y, { ...opts, penalty: expoFidelity({ lambda: 10, sigma: 0.5, neighbours: 12, seed: 9 }) });
  const metric = { sigma: 0.5, neighbours: 24, seed: 77 };
  const fid = [neighbourhoodFidelity(plain, held.x, metric), neighbourhoodFidelity(expo, held.x, metric)];
  const acc = [classifierAccuracy(plain, held.x, held.y), classifierAccuracy(expo, held.x, held.y)];
  console.log(JSON.stringify({ neighbourhoodFidelity: fid, heldOutAccuracy: acc }));
  assert.ok(fid[1] < 0.7 * fid[0], `fidelity MSE ${fid[0]} → ${fid[1]}`);
  assert.ok(acc[1] > acc[0] - 0.1, `accuracy ${acc[0]} → ${acc[1]} (margin 0.1)`);
  assert.ok(acc[1] > 0.75, `accuracy ${acc[1]}`);
  plain.dispose();
  expo.dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([train.x, held.x]);
});
