import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { LumenError } from '../../src/core/errors.js';
import { datasetFromTensors } from '../../src/core/dataset.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { loadModelSpec } from '../../src/cli/load-model.js';
import { loadMnistDecoder } from '../../src/models/mnist-decoder.js';
import { loadMnist, mnistBatch } from '../../src/data/mnist.js';
import { topActivatingExamples } from '../../src/featureviz/top-activating-examples.js';
import { firstLayerFilters } from '../../src/featureviz/first-layer-filters.js';
import { visualizeChannels } from '../../src/featureviz/visualize-channels.js';
import { featureVisualization, objectiveValue } from '../../src/featureviz/feature-visualization.js';
import { classObjective } from '../../src/featureviz/objective.js';

async function mnistModel() {
  await useBackend('wasm');
  const { model } = await loadBundledModel('mnist');
  return fromLayersModel(model, { owned: true });
}

test('topActivatingExamples streams a Dataset and returns, per unit, exactly the k rows a full sort finds (bundled:mnist relu2)', async () => {
  const model = await mnistModel();
  const idx = Array.from({ length: 300 }, (_, i) => i * 33);
  const x = mnistBatch(loadMnist(), idx);
  const data = datasetFromTensors(x);
  const before = tf.memory().numTensors;
  const e = await topActivatingExamples(model, data, 'relu2', { k: 5, units: [0, 3, 15], batchSize: 64 });
  assert.equal(tf.memory().numTensors, before, 'leaks');
  const full = tf.tidy(() => tf.max(model.run(x, { capture: ['relu2'] }).captured.relu2, [1, 2]));
  const all = (await full.array()) as number[][];
  full.dispose();
  for (const unit of [0, 3, 15]) {
    const mine = e.examples.filter((r) => r.query === unit);
    const expected = all.map((row, i) => ({ i, v: row[unit] })).sort((a, b) => b.v - a.v || a.i - b.i).slice(0, 5);
    assert.deepEqual(mine.map((r) => r.index), expected.map((r) => r.i));
    mine.forEach((r, j) => assert.ok(Math.abs(r.score - expected[j].v) < 1e-5));
  }
  const mean = await topActivatingExamples(model, data, 'dense1', { k: 2, reduce: 'mean' });
  assert.equal(mean.examples.length, 2 * 64);
  await assert.rejects(topActivatingExamples(model, data, 'conv9'), (err: unknown) => err instanceof LumenError && /found 'conv9'/.test(err.message));
  await assert.rejects(topActivatingExamples(model, data, 'relu2', { k: 0 }), /k must be a positive integer; found 0/);
  await assert.rejects(topActivatingExamples(model, data, 'relu2', { units: [16] }), /units must be integers in \[0, 16\); found 16/);
  x.dispose();
  model.dispose?.();
});

test('firstLayerFilters shows conv1\'s kernels with 0 at grey, the same for the tfjs model and its ONNX export', async () => {
  const model = await mnistModel();
  const e = await firstLayerFilters(model);
  assert.equal(e.images.length, 8);
  assert.deepEqual(e.images[0].shape, [3, 3, 1]);
  const kernel = (await model.parameters!.find((p) => p.name === 'conv1/kernel')!.value.array()) as number[][][][];
  const o = 2;
  const m = Math.max(...kernel.flat(3).filter((_, i) => i % 8 === o).map(Math.abs));
  assert.ok(Math.abs(e.images[o].data[4] - (0.5 + kernel[1][1][0][o] / (2 * m))) < 1e-6);
  for (const img of e.images) assert.ok(Math.max(...img.data.map((v) => Math.abs(v - 0.5))) > 0.4999, 'each filter reaches 0 or 1');
  const onnx = await loadModelSpec('models/mnist-onnx/mnist.onnx');
  const f = await firstLayerFilters(onnx.model);
  f.images.forEach((img, i) => img.data.forEach((v, j) => assert.ok(Math.abs(v - e.images[i].data[j]) < 1e-5)));
  onnx.dispose();
  await assert.rejects(firstLayerFilters(model, { layer: 'dense1' }), /expected a convolution of conv1, conv2; found 'dense1'/);
  model.dispose?.();
});

test('visualizeChannels optimises one image per channel in one batch; each image excites its own channel more than the others on average', async () => {
  const model = await mnistModel();
  const before = tf.memory().numTensors;
  const e = await visualizeChannels(model, 'relu2', { steps: 48, seed: 1, param: { basis: 'pixels' } });
  assert.equal(tf.memory().numTensors, before, 'leaks');
  assert.equal(e.images.length, 16);
  assert.deepEqual(e.images[0].shape, [28, 28, 1]);
  const acts = e.meta!.activations as number[];
  const others = e.meta!.meanOthers as number[];
  const wins = acts.filter((a, i) => a > others[i]).length;
  assert.ok(wins >= 14, `${wins}/16 channels win: ${acts} vs ${others}`);
  await assert.rejects(visualizeChannels(model, 'relu2', { channels: [16] }), /channels must be integers in \[0, 16\)/);
  model.dispose?.();
});

test('featureVisualization in the MNIST decoder\'s code space raises the class logit until that class wins', async () => {
  const model = await mnistModel();
  const { decoder, meta } = await loadMnistDecoder();
  assert.equal(meta.codeSize, 8);
  const before = tf.memory().numTensors;
  const r = await featureVisualization(model, classObjective(3), { generator: { decoder }, steps: 64, transforms: 'none', seed: 2 });
  const [start, end] = [r.values[0][1], r.values[r.values.length - 1][1]];
  assert.ok(end > start, `${start} → ${end}`);
  const logits = await model.predict(r.images);
  const row = Array.from(await logits.data());
  logits.dispose();
  assert.equal(row.indexOf(Math.max(...row)), 3, `logits ${row}`);
  const v = objectiveValue(model, classObjective(3), r.images);
  assert.ok(Math.abs(v - end) < 1e-3);
  r.dispose();
  assert.equal(tf.memory().numTensors, before, 'leaks');
  await assert.rejects(featureVisualization(await mnistModel().then((m) => m), classObjective(0), { generator: { decoder: (await loadModelSpec('bundled:penguins')).model }, steps: 1 }), /decoder must make images \[28, 28, 1\]|decoder must take codes/);
  decoder.dispose?.();
  model.dispose?.();
});
