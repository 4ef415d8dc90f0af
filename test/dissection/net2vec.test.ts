import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { LumenError } from '../../src/core/errors.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { networkDissection } from '../../src/dissection/network-dissection.js';
import { net2vec, net2vecScores } from '../../src/dissection/net2vec.js';
import { shapesMaskDataset } from '../../src/dissection/shapes-mask-dataset.js';
import type { Model } from '../../src/core/model.js';
import { bundledDataset } from '../../src/data/dataset-files.js';

async function conceptsModel(): Promise<Model> {
  await useBackend('wasm');
  const { model } = await loadBundledModel('concepts');
  return fromLayersModel(model, { owned: true });
}

const PLANTED = ['stripes', 'dots', 'red'];

test('net2vec (segmentation): each planted concept\'s embedding in relu1 beats the best single unit\'s held-out IoU (bundled:concepts)', async () => {
  const model = await conceptsModel();
  const train = shapesMaskDataset(256, 11);
  const held = shapesMaskDataset(200, 12);
  const before = tf.memory().numTensors;
  const e = await net2vec(model, train, 'relu1', { epochs: 12, seed: 1 });
  const s = await net2vecScores(model, e, held);
  assert.equal(tf.memory().numTensors, before, 'net2vec leaks');
  const d = await networkDissection(model, held, 'relu1');
  for (const concept of PLANTED) {
    const c = s.concepts.indexOf(concept);
    const bestUnit = Math.max(...d.iou.map((row) => row[c]));
    assert.ok(s.scores[c] > bestUnit && s.scores[c] > 0.04, `${concept}: net2vec IoU ${s.scores[c]}, best single unit ${bestUnit}`);
  }
  assert.equal(e.weights.length, 7);
  assert.equal(e.weights[0].length, 8);
  // α is 1 − the share of positive pixels: a concept covering little of the image weighs positives high
  assert.ok(e.alpha.every((a) => a > 0.5 && a < 1));
  model.dispose?.();
});

test('net2vec (classification): planted concepts are recognised from pooled filters with held-out accuracy > 0.9 of relu3 (stripes, the deciding concept; dots, the distractor)', async () => {
  const model = await conceptsModel();
  for (const [layer, concepts] of [['relu3', ['stripes', 'dots']]] as const) {
    const e = await net2vec(model, shapesMaskDataset(300, 21), layer, { task: 'classification', epochs: 40, seed: 2 });
    const s = await net2vecScores(model, e, shapesMaskDataset(200, 22));
    for (const concept of concepts) {
      const c = s.concepts.indexOf(concept);
      assert.ok(s.scores[c] > 0.9, `${layer} ${concept}: accuracy ${s.scores[c]} (${JSON.stringify(s.scores)})`);
    }
  }
  model.dispose?.();
});

test('net2vec is reproducible for a seed, and refuses bad layers and options with a LumenError', async () => {
  const model = await conceptsModel();
  const data = shapesMaskDataset(16, 1);
  const a = await net2vec(model, data, 'relu1', { epochs: 2, seed: 3 });
  const b = await net2vec(model, data, 'relu1', { epochs: 2, seed: 3 });
  assert.deepEqual(a.weights, b.weights);
  await assert.rejects(net2vec(model, data, 'gap'), (e: unknown) => e instanceof LumenError && /must output maps/.test(e.message));
  await assert.rejects(net2vec(model, data, 'relu1', { epochs: 0 }), /epochs must be a positive integer; found 0/);
  await assert.rejects(net2vec(model, data, 'relu1', { task: 'detection' as 'segmentation' }), /task must be 'segmentation' or 'classification'/);
  await assert.rejects(net2vecScores(model, a, data, {}).then(() => net2vecScores(model, { ...a, layer: 'relu2' }, data)), /weigh 8 units; 'relu2' has 16/);
  model.dispose?.();
});

test('registry net2vec: the same embeddings and held-out scores as the library calls, as a concepts explanation; masks required', async () => {
  const { methodById } = await import('../../src/methods.js');
  const entry = methodById('net2vec') as import('../../src/core/method-info.js').GlobalMethodInfo;
  const model = await conceptsModel();
  const train = shapesMaskDataset(128, 31);
  const held = shapesMaskDataset(96, 32);
  const direct = await net2vecScores(model, await net2vec(model, train, 'relu1', { epochs: 4, seed: 5 }), held);
  const r = (await entry.run(model, bundledDataset('mnist', 4), { masks: train, layer: 'relu1', epochs: 4, seed: 5, heldOut: held })) as import('../../src/core/explanation.js').ConceptsExplanation;
  assert.equal(r.kind, 'concepts');
  assert.deepEqual(r.scores.map((s) => s.concept), [...direct.concepts]);
  assert.deepEqual(r.scores.map((s) => s.score), [...direct.scores]);
  assert.equal((r.meta as { scoredOn: string }).scoredOn, 'held-out');
  await assert.rejects(entry.run(model, bundledDataset('mnist', 4), { layer: 'relu1' }), (e: unknown) => e instanceof LumenError && /concept masks/.test(e.message));
  await assert.rejects(entry.run(model, bundledDataset('mnist', 4), { masks: train, layer: 'relu1', heldOut: 'x' }), (e: unknown) => e instanceof LumenError && /heldOut must be a ConceptMaskDataset/.test(e.message));
  model.dispose?.();
});
