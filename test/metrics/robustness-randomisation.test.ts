import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { makeAttribution } from '../../src/core/attribution.js';
import type { LocalMethod } from '../../src/core/options.js';
import { maxSensitivity } from '../../src/metrics/max-sensitivity.js';
import { avgSensitivity } from '../../src/metrics/avg-sensitivity.js';
import { localLipschitz } from '../../src/metrics/local-lipschitz.js';
import { relativeInputStability } from '../../src/metrics/relative-input-stability.js';
import { relativeOutputStability } from '../../src/metrics/relative-output-stability.js';
import { relativeRepresentationStability } from '../../src/metrics/relative-representation-stability.js';
import { continuity } from '../../src/metrics/continuity.js';
import { inputInvariance } from '../../src/metrics/input-invariance.js';
import { layersModelRandomizer, modelParameterRandomisation } from '../../src/metrics/model-parameter-randomisation.js';
import { randomLogit } from '../../src/metrics/random-logit.js';
import { ssim } from '../../src/metrics/similarity.js';
import { linearModel, tanhMlp } from '../toy-models.js';

/** A method that ignores the model: the input itself. */
const inputItself: LocalMethod = async (_m, x) => makeAttribution('input', x.clone(), null);

test('a linear model has a constant gradient: max/avg-sensitivity and local Lipschitz of signed saliency are 0', async () => {
  await useBackend();
  const { model, layers } = linearModel([[1, -1], [2, 0.5], [-0.5, 1]]);
  const x = tf.tensor2d([[0.3, -0.2, 1], [1, 1, -1]]);
  const explainOptions = { mode: 'signed' };
  for (const metric of [maxSensitivity, avgSensitivity, localLipschitz]) {
    for (const v of (await metric(model, x, 'saliency', { target: 0, explainOptions, samples: 5 })).scores) assert.ok(v < 1e-6, metric.name);
  }
  // The input itself moves with the input: ‖δ‖/‖x‖ > 0, and its Lipschitz constant along the noise is 1.
  // With a fixed table of perturbations δ (norms 0.05 and 0.01√3), the input itself scores ‖δ‖ / ‖x‖: the max, and the mean over δ.
  const perturbations = tf.tensor2d([[0.03, 0, -0.04], [0.01, 0.01, 0.01]]);
  const norms = [Math.hypot(0.3, -0.2, 1), Math.sqrt(3)];
  (await maxSensitivity(model, x, inputItself, { target: 0, perturbations })).scores.forEach((v, i) => assert.ok(Math.abs(v - 0.05 / norms[i]) < 1e-6, `max-sensitivity ${v}`));
  (await avgSensitivity(model, x, inputItself, { target: 0, perturbations })).scores.forEach((v, i) => assert.ok(Math.abs(v - (0.05 + 0.01 * Math.sqrt(3)) / 2 / norms[i]) < 1e-6, `avg-sensitivity ${v}`));
  perturbations.dispose();
  for (const v of (await localLipschitz(model, x, inputItself, { target: 0 })).scores) assert.ok(Math.abs(v - 1) < 1e-5);
  tf.dispose(x);
  layers.dispose();
});

test('relative stabilities and continuity: 0 for the constant saliency of a linear model; for the input itself, RIS is 1 and continuity is ‖δ‖₁/‖δ‖₂', async () => {
  await useBackend();
  const { model, layers } = linearModel([[1, -1], [2, 0.5], [-0.5, 1]]);
  const x = tf.tensor2d([[0.3, -0.2, 1], [1, 1, -1]]);
  const explainOptions = { mode: 'signed' };
  const constant = [
    await relativeInputStability(model, x, 'saliency', { target: 0, explainOptions, seed: 1 }),
    await relativeOutputStability(model, x, 'saliency', { target: 0, explainOptions, seed: 1 }),
    await relativeRepresentationStability(model, x, 'saliency', { target: 0, explainOptions, seed: 1, layer: 'fc' }),
    await continuity(model, x, 'saliency', { target: 0, explainOptions, steps: 4 }),
  ];
  for (const r of constant) assert.deepEqual(r.scores.map((v) => Math.abs(v) < 1e-6), [true, true], `${r.metric}: ${r.scores}`);
  // e = x: the explanation's relative change is the input's, whatever the noise.
  for (const v of (await relativeInputStability(model, x, inputItself, { target: 0, seed: 1 })).scores) assert.ok(Math.abs(v - 1) < 1e-5, `RIS ${v}`);
  // Consecutive path points differ by a multiple of one direction δ ∈ R³, so the ratio lies in [1, √3] (and > 1 unless δ is axis-aligned).
  for (const v of (await continuity(model, x, inputItself, { target: 0, steps: 4 })).scores) assert.ok(v > 1 && v <= Math.sqrt(3) + 1e-6, `continuity ${v}`);
  tf.dispose(x);
  layers.dispose();
});

test('robustness metrics are seeded, batched into two method calls, and leak no tensors', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(3);
  const x = tf.tensor2d([[0.3, -0.2, 1, 0.5], [1, 1, -1, 0]]);
  const before = tf.memory().numTensors;
  const a = await relativeInputStability(model, x, 'saliency', { seed: 1 });
  const b = await relativeInputStability(model, x, 'saliency', { seed: 1 });
  const r = await relativeRepresentationStability(model, x, 'saliency', { seed: 1, layer: 'tanh' });
  const c = await continuity(model, x, 'saliency', { steps: 4 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(a.scores, b.scores);
  assert.equal(a.modelCalls, 2);
  // A tanh network's saliency moves with its input: both scores are positive (NaN is not).
  assert.ok(r.scores.every((v) => v > 0) && c.scores.every((v) => v > 0), `stability ${r.scores}, continuity ${c.scores}`);
  tf.dispose(x);
  layers.dispose();
});

test('model parameter randomisation changes a gradient map; a method that ignores the model is unchanged; weights are restored', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(5);
  const x = tf.tensor2d([[0.3, -0.2, 1, 0.5], [1, 1, -1, 0], [-0.4, 0.2, 0.1, 0.9]]);
  const before = layers.getWeights().map((t) => Array.from(t.dataSync()));
  const randomizer = layersModelRandomizer(layers);
  const grad = await modelParameterRandomisation(model, x, 'saliency', { randomizer, explainOptions: { mode: 'signed' }, abs: false, seed: 2 });
  const plain = await modelParameterRandomisation(model, x, inputItself, { randomizer, seed: 2 });
  assert.deepEqual(layers.getWeights().map((t) => Array.from(t.dataSync())), before);
  assert.ok(grad.aggregate < 0.9, `gradient similarity after randomisation ${grad.aggregate}`);
  for (const v of plain.scores) assert.ok(Math.abs(v - 1) < 1e-12);
  assert.equal(grad.curves?.[0].length, 2, 'one point per layer with parameters (fc2, fc1)');
  const logit = await randomLogit(model, x, inputItself, { similarity: 'spearman' });
  for (const v of logit.scores) assert.ok(Math.abs(v - 1) < 1e-12);
  tf.dispose(x);
  layers.dispose();
});

test('input invariance: input × gradient is not invariant to a shift, saliency is', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(7);
  const x = tf.tensor2d([[0.3, -0.2, 1, 0.5]]);
  assert.ok((await inputInvariance(model, x, 'saliency', { explainOptions: { mode: 'signed' } })).scores[0] < 1e-5);
  assert.ok((await inputInvariance(model, x, 'input-x-gradient')).scores[0] > 0.1);
  tf.dispose(x);
  layers.dispose();
});

test('ssim(a, a) = 1 and drops for unrelated maps', () => {
  const a = Array.from({ length: 64 }, (_, i) => Math.sin(i));
  const b = Array.from({ length: 64 }, (_, i) => Math.cos(3 * i));
  assert.ok(Math.abs(ssim(a, a, 8, 8) - 1) < 1e-12);
  assert.ok(ssim(a, b, 8, 8) < 0.5);
});
