import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { loadMnist, mnistBatch, mnistLabels, mnistSplit, MNIST_HELD_OUT, MNIST_SPLIT_SEED } from '../../src/data/mnist.js';
import { loadPenguins, penguinBatch, penguinLabels, penguinSplit, PENGUIN_CLASSES, PENGUIN_FEATURES, PENGUIN_SPLIT_SEED } from '../../src/data/penguins.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { groundTruthData, groundTruthTensor } from '../../src/metrics/benchmark/ground-truth-data.js';
import { conceptShapes, conceptShapesTensor } from '../../src/data/concept-shapes.js';

function accuracy(model: tf.LayersModel, x: tf.Tensor, y: Int32Array): number {
  const pred = tf.tidy(() => (model.predict(x, { batchSize: 250 }) as tf.Tensor).argMax(-1).dataSync());
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

test('the bundled MNIST CNN is ≥ 97% accurate on the 2,000 held-out digits (wasm)', async () => {
  assert.equal(await useBackend('wasm'), 'wasm');
  const { model, meta } = await loadBundledModel('mnist');
  assert.deepEqual(meta.inputShape, [28, 28, 1]);
  assert.equal(meta.outputs, 'logits');
  assert.equal(meta.training.splitSeed, MNIST_SPLIT_SEED);
  assert.ok(['conv1', 'relu1', 'conv2', 'relu2', 'logits'].every((n) => meta.layers.includes(n)));
  const data = loadMnist();
  const held = mnistSplit(data).heldOut;
  assert.equal(held.length, MNIST_HELD_OUT);
  const x = mnistBatch(data, held);
  const acc = accuracy(model, x, mnistLabels(data, held));
  x.dispose();
  model.dispose();
  assert.ok(acc >= 0.97, `held-out accuracy ${acc}`);
});

test('the bundled penguins MLP is ≥ 95% accurate on its held-out split (wasm)', async () => {
  assert.equal(await useBackend('wasm'), 'wasm');
  const { model, meta } = await loadBundledModel('penguins');
  assert.deepEqual(meta.classNames, PENGUIN_CLASSES);
  assert.deepEqual(meta.featureNames, PENGUIN_FEATURES);
  assert.equal(meta.training.splitSeed, PENGUIN_SPLIT_SEED);
  assert.ok(meta.standardization && meta.standardization.mean.length === 4);
  const data = loadPenguins();
  const held = penguinSplit(data).heldOut;
  const x = penguinBatch(data, meta.standardization, held);
  const acc = accuracy(model, x, penguinLabels(data, held));
  x.dispose();
  model.dispose();
  assert.ok(acc >= 0.95, `held-out accuracy ${acc}`);
});

test('the bundled ground-truth CNN reproduces its recorded accuracy on the 2,000 generated held-out images, and needs the digit (wasm)', async () => {
  assert.equal(await useBackend('wasm'), 'wasm');
  const { model, meta } = await loadBundledModel('groundtruth');
  assert.deepEqual(meta.inputShape, [32, 32, 1]);
  const data = groundTruthData(meta.training.heldOutCount, { seed: 0, split: 'held-out' });
  const [x, xr] = [groundTruthTensor(data), groundTruthTensor(data, data.withoutRegion)];
  const acc = accuracy(model, x, data.labels);
  const without = accuracy(model, xr, data.labels);
  tf.dispose([x, xr]);
  model.dispose();
  assert.equal(Number(acc.toFixed(4)), meta.training.heldOutAccuracy);
  assert.ok(acc >= 0.85, `held-out accuracy ${acc}`);
  assert.ok(without < 0.15, `accuracy without the digit ${without} (chance 0.1)`);
});

test('the bundled concept-shapes CNN reproduces its recorded accuracy on its 1,000 generated held-out images (wasm)', async () => {
  assert.equal(await useBackend('wasm'), 'wasm');
  const { model, meta } = await loadBundledModel('concepts');
  assert.deepEqual(meta.inputShape, [32, 32, 3]);
  const data = conceptShapes(meta.training.heldOutCount, { seed: meta.training.splitSeed });
  const x = conceptShapesTensor(data);
  const acc = accuracy(model, x, data.labels);
  x.dispose();
  model.dispose();
  assert.equal(Number(acc.toFixed(4)), meta.training.heldOutAccuracy);
  assert.ok(acc >= 0.95, `held-out accuracy ${acc}`);
});

test('an unknown bundled model name is a LumenError', async () => {
  await assert.rejects(loadBundledModel('cifar'), /bundled model must be one of mnist, penguins, groundtruth, spam, spam-transformer, spam-decoder, concepts; found 'cifar'/);
});
