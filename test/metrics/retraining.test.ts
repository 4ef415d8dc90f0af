import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { makeAttribution } from '../../src/core/attribution.js';
import type { LocalMethod } from '../../src/core/options.js';
import { Rng } from '../../src/core/random.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { dataRandomisation } from '../../src/metrics/data-randomisation.js';
import { kar } from '../../src/metrics/kar.js';
import { roar } from '../../src/metrics/roar.js';
import { fitClassifier } from '../../src/training/fit-classifier.js';

const F = 8;

/** x ~ N(0, 1)^8; the label is x₀ + x₁ > 0: only features 0 and 1 carry it. */
function task(n: number, seed: number): { x: tf.Tensor2D; y: Int32Array } {
  const rng = new Rng(seed);
  const data = rng.normals(n * F);
  const y = Int32Array.from({ length: n }, (_, i) => (data[i * F] + data[i * F + 1] > 0 ? 1 : 0));
  return { x: tf.tensor2d(data, [n, F]), y };
}

function mlp(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 16, inputShape: [F], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  return m;
}

/** The perfect attribution for this task: |x| on features 0 and 1, zero elsewhere (it ignores the model). */
const oracle: LocalMethod = async (_m, x) => makeAttribution('oracle', tf.tidy(() => x.abs().mul(tf.tensor1d([1, 1, 0, 0, 0, 0, 0, 0]))), null);
/** A seeded random attribution (ignores the model and the input). */
const random: LocalMethod = async (_m, x, o) => makeAttribution('random', tf.tensor(new Rng(Number(o?.seed ?? 0) + x.shape[0]).uniforms(x.size), x.shape), null);
/** The input itself: ignores the model. */
const inputItself: LocalMethod = async (_m, x) => makeAttribution('input', x.clone(), null);

const retrain = { epochs: 15, trainBatchSize: 32, learningRate: 0.02 };

test('roar and kar: removing the two label features leaves chance accuracy, keeping them keeps it; random rankings do the opposite', async () => {
  await useBackend();
  const layersModel = mlp();
  const train = task(400, 1);
  const test = task(200, 2);
  await fitClassifier(layersModel, train.x, train.y, { epochs: 15, batchSize: 32, learningRate: 0.02 });
  const model = fromLayersModel(layersModel);
  const before = tf.memory().numTensors;
  const opts = { layersModel, train: { x: train.x, labels: train.y }, labels: test.y, fractions: [0.25], seed: 3, ...retrain };
  const roarOracle = await roar(model, test.x, oracle, opts);
  const roarRandom = await roar(model, test.x, random, opts);
  const karOracle = await kar(model, test.x, oracle, opts);
  const karRandom = await kar(model, test.x, random, opts);
  assert.equal(tf.memory().numTensors, before);
  // Removing x₀ and x₁ removes all information: accuracy ≈ ½. A random quarter keeps both with p = 15/28.
  assert.ok(Math.abs(roarOracle.aggregate - 0.5) < 0.12, `ROAR oracle ${roarOracle.aggregate}`);
  assert.ok(roarRandom.aggregate > roarOracle.aggregate + 0.15, `ROAR random ${roarRandom.aggregate}`);
  assert.ok(karOracle.aggregate > 0.9, `KAR oracle ${karOracle.aggregate}`);
  assert.ok(karOracle.aggregate > karRandom.aggregate + 0.2, `KAR random ${karRandom.aggregate}`);
  assert.deepEqual(roarOracle.details?.fractions, [0.25]);
  assert.equal(roarOracle.direction, 'lower');
  assert.equal(karOracle.direction, 'higher');
  assert.equal(roarOracle.curves?.length, 200);
  // Same seed, same numbers.
  assert.deepEqual((await roar(model, test.x, oracle, opts)).scores, roarOracle.scores);
  await assert.rejects(roar(model, test.x, tf.zeros([200, F]), opts), /trainAttributions/);
  await assert.rejects(roar(model, test.x, oracle, { ...opts, labels: [1] }), /options.labels/);
  tf.dispose([train.x, test.x]);
  layersModel.dispose();
});

test('dataRandomisation: the gradient of a model trained on shuffled labels differs; a method that ignores the model does not', async () => {
  await useBackend();
  const layersModel = mlp();
  const train = task(300, 4);
  await fitClassifier(layersModel, train.x, train.y, { epochs: 15, batchSize: 32, learningRate: 0.02 });
  const model = fromLayersModel(layersModel);
  const x = task(20, 5).x;
  const before = tf.memory().numTensors;
  const opts = { layersModel, train: { x: train.x, labels: train.y }, seed: 6, target: 1, ...retrain };
  const grad = await dataRandomisation(model, x, 'saliency', opts);
  const plain = await dataRandomisation(model, x, inputItself, opts);
  assert.equal(tf.memory().numTensors, before);
  for (const v of plain.scores) assert.ok(Math.abs(v - 1) < 1e-12);
  assert.ok(grad.aggregate < 0.5, `rank correlation of gradients after label shuffling ${grad.aggregate}`);
  // The shuffled-label model's accuracy on its 300 training rows: a count over 300, and above what
  // a constant guess gets (the majority share, which shuffling keeps), since it memorised some labels.
  const memorised = Number(grad.details?.shuffledTrainAccuracy);
  const ones = train.y.reduce((s, v) => s + v, 0);
  const majority = Math.max(ones, train.y.length - ones) / train.y.length;
  assert.ok(Math.abs(memorised * 300 - Math.round(memorised * 300)) < 1e-6, `shuffled train accuracy ${memorised} is not a count over 300`);
  assert.ok(memorised > majority && memorised <= 1, `shuffled train accuracy ${memorised}, majority share ${majority}`);
  tf.dispose([x, train.x]);
  layersModel.dispose();
});
