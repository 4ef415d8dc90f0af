import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { datasetFromArrays } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { classPrototypes } from '../../src/counterfactual/class-prototypes.js';
import { prototypeCounterfactual } from '../../src/counterfactual/prototype-counterfactual.js';
import { fromDifferentiable } from '../../src/models/from-differentiable.js';
import { penguinFixture } from '../local-rules/penguin-fixture.js';

const w = [2, 1, 0.05];
const linear = (x: tf.Tensor): tf.Tensor => tf.tidy(() => {
  const s = x.matMul(tf.tensor2d(w, [3, 1])).sub(1);
  return tf.concat([tf.zerosLike(s), s], 1);
});
// predicted classes by w·x > 1: 0, 0, 1, 1, 0
const rows = [[0, 0, 0], [-1, 0, 0], [1, 1, 1], [0, 3, 0], [0.2, 0, 0]];

test('classPrototypes: the mean of the k nearest encodings of each class, or the k-th nearest point', () => {
  const enc = { values: Float32Array.from(rows.flat()), rows: 5, size: 3 };
  const query = { values: Float32Array.from([0, 0, 0]), rows: 1, size: 3 };
  const classes = [0, 0, 1, 1, 0];
  const mean2 = classPrototypes(enc, classes, query, 2, { k: 2 }, 'test');
  assert.deepEqual(Array.from(mean2.prototypes[0][1] as Float32Array), [0.5, 2, 0.5]);
  assert.deepEqual(Array.from(mean2.prototypes[0][0] as Float32Array).map((v) => Number(v.toFixed(6))), [0.1, 0, 0]);
  const point = classPrototypes(enc, classes, query, 2, { kType: 'point', k: 1 }, 'test');
  assert.deepEqual(Array.from(point.prototypes[0][1] as Float32Array), [1, 1, 1]);
  assert.ok(Math.abs(point.distances[0][1] - Math.sqrt(3)) < 1e-6);
  const all = classPrototypes(enc, classes, query, 2, {}, 'test');
  assert.deepEqual(Array.from(all.prototypes[0][1] as Float32Array), [0.5, 2, 0.5]);
  assert.throws(() => classPrototypes(enc, classes, query, 2, { k: 0 }, 'test'), (e: unknown) => e instanceof LumenError && /k must be a positive integer/.test(e.message));
});

test('prototypeCounterfactual of a linear model: θ = 0 is the elastic-net projection onto the boundary; with θ it heads for the prototype', async () => {
  await useBackend();
  const model = fromDifferentiable(linear, { inputShape: [3], outputShape: [2] });
  const data = datasetFromArrays(rows);
  const x = tf.tensor2d([[0, 0, 0]]);
  const before = tf.memory().numTensors;
  // θ = 0: min β‖δ‖₁ + ‖δ‖² with w·δ ≥ 1 → δ_j = max(0, μ|w_j| − β)/2: [0.42, 0.16, 0] for β = 0.2
  const plain = await prototypeCounterfactual(model, data, x, { theta: 0, beta: 0.2, scale: 'none', cInit: 1, cSteps: 6, maxIterations: 300, learningRate: 0.1 });
  [0.42, 0.16, 0].forEach((v, j) => assert.ok(Math.abs(plain.inputs[j] - v) < 0.02, `θ = 0: x′_${j} = ${plain.inputs[j]}, closed form ${v}`));
  assert.deepEqual(plain.predictions, [1]);
  // θ = 10, β = 0, c → 0: the quadratic ‖δ‖² + θ‖δ − proto‖² pulls x straight at the prototype (the nearest class-1 row,
  // [1, 1, 1]); the closest valid iterate is where that segment crosses w·x = 1: t·3.05 = 1
  const guided = await prototypeCounterfactual(model, data, x, { theta: 10, beta: 0, kType: 'point', k: 1, scale: 'none', cInit: 1e-4, cSteps: 3, maxIterations: 300, learningRate: 0.0005, constantLearningRate: true });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(guided.meta?.prototypeClass, [1]);
  assert.deepEqual(guided.meta?.prototypes, [[1, 1, 1]]);
  assert.deepEqual(guided.predictions, [1]);
  const t = 1 / 3.05;
  // on the segment (equal coordinates), valid, and within one FISTA step (here < 0.04) past the crossing
  guided.inputs.forEach((v) => assert.ok(Math.abs(v - guided.inputs[0]) < 1e-5, `on the segment to [1, 1, 1]: ${guided.inputs}`));
  assert.ok(guided.inputs[0] >= t && guided.inputs[0] < t + 0.04, `x′ = ${guided.inputs[0]}: just past the crossing t = ${t.toFixed(4)}`);
  x.dispose();
});

test('prototypeCounterfactual with an encoder: ENC(x) = 2x and θ/4 is the same problem as no encoder and θ', async () => {
  await useBackend();
  const model = fromDifferentiable(linear, { inputShape: [3], outputShape: [2] });
  const encoder = fromDifferentiable((z: tf.Tensor) => z.mul(2), { inputShape: [3], outputShape: [3] });
  const data = datasetFromArrays(rows);
  const x = tf.tensor2d([[0, 0, 0], [-1, 0, 0]]);
  const opts = { beta: 0.1, scale: 'none', k: 2, cSteps: 2, maxIterations: 150 } as const;
  const a = await prototypeCounterfactual(model, data, x, { ...opts, theta: 8 });
  const b = await prototypeCounterfactual(model, data, x, { ...opts, theta: 2, encoder });
  assert.deepEqual(a.predictions, [1, 1]);
  a.inputs.forEach((v, p) => assert.ok(Math.abs(v - b.inputs[p]) < 1e-4, `${p}: ${v} vs ${b.inputs[p]}`));
  x.dispose();
});

test('prototypeCounterfactual on bundled penguins: every row reaches another class, one-hot groups stay one-hot, immutable held, seeded runs identical', async () => {
  await useBackend();
  const f = await penguinFixture();
  const d = 9;
  const n = 4;
  const x = tf.tensor2d(f.heldOut.slice(0, n * d), [n, d]);
  const before = tf.memory().numTensors;
  const opts = { maxIterations: 200, immutable: ['Sex=FEMALE'] } as const;
  const cf = await prototypeCounterfactual(f.model, f.train, x, opts);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(cf.meta?.success, new Array(n).fill(true));
  cf.originalPredictions.forEach((p, i) => assert.notEqual(p, cf.predictions[i], `row ${i} flips`));
  const names = f.train.featureNames as readonly string[];
  const island = names.map((s, j) => (s.startsWith('Island=') ? j : -1)).filter((j) => j >= 0);
  const sex = names.map((s, j) => (s.startsWith('Sex=') ? j : -1)).filter((j) => j >= 0);
  for (let i = 0; i < n; i++) {
    assert.equal(island.reduce((s, j) => s + cf.inputs[i * d + j], 0), 1, 'one level of Island');
    island.forEach((j) => assert.ok(cf.inputs[i * d + j] === 0 || cf.inputs[i * d + j] === 1));
    sex.forEach((j) => assert.equal(cf.inputs[i * d + j], f.heldOut[i * d + j], 'Sex immutable'));
  }
  const again = await prototypeCounterfactual(f.model, f.train, x, opts);
  assert.deepEqual(again.inputs, cf.inputs);
  x.dispose();
  f.dispose();
});

test('prototypeCounterfactual: bad options are LumenErrors', async () => {
  await useBackend();
  const model = fromDifferentiable(linear, { inputShape: [3], outputShape: [2] });
  const data = datasetFromArrays(rows);
  const x = tf.tensor2d([[0, 0, 0]]);
  const bad = async (o: object, re: RegExp): Promise<void> => assert.rejects(prototypeCounterfactual(model, data, x, o), (e: unknown) => e instanceof LumenError && re.test(e.message));
  await bad({ theta: -1 }, /theta must be ≥ 0/);
  await bad({ kType: 'median' }, /kType must be 'mean' or 'point'/);
  await bad({ target: 5 }, /target must be classes in \[0, 1\]/);
  await bad({ gamma: 1 }, /needs an autoencoder/);
  await bad({ cSteps: 0 }, /cSteps must be a positive integer/);
  await bad({ scale: 'z' }, /scale must be 'mad' or 'none'/);
  const wrong = tf.tensor2d([[0, 0]]);
  await assert.rejects(prototypeCounterfactual(model, data, wrong), (e: unknown) => e instanceof LumenError && /rows must be \[N, 3\]/.test(e.message));
  tf.dispose([x, wrong]);
});
