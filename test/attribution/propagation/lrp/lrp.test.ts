import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { lrp } from '../../../../src/attribution/propagation/lrp/lrp.js';
import { baseLayerMap, type Composite } from '../../../../src/attribution/propagation/lrp/composites.js';
import { epsilonRule } from '../../../../src/attribution/propagation/lrp/lrp-rules.js';
import { LumenError } from '../../../../src/core/errors.js';
import { useBackend } from '../../../../src/engine/backend.js';
import { fromFunction } from '../../../../src/models/from-function.js';
import { fromLayersModel } from '../../../../src/models/from-layers-model.js';
import { linearModel, maxAbsDiff } from '../../../toy-models.js';

const W = [[1, -2], [0.5, 3], [-1.5, 0.25]]; // 3 → 2

/** conv (3×3, same) → ReLU → max pool → conv → ReLU → flatten → dense; seeded weights, with or without biases. */
function reluCnn(bias: boolean, seed = 1, positive = false): tf.LayersModel {
  const init = tf.initializers.glorotNormal({ seed });
  const biasInit = tf.initializers.randomNormal({ seed: seed + 9, stddev: 0.5 });
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', inputShape: [6, 6, 2], useBias: bias, kernelInitializer: init, biasInitializer: biasInit, name: 'conv1' }));
  m.add(tf.layers.reLU({ name: 'relu1' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }));
  m.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, useBias: bias, activation: 'relu', kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }), biasInitializer: biasInit, name: 'conv2' }));
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ units: 3, useBias: bias, kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 2 }), biasInitializer: biasInit, name: 'fc' }));
  if (positive) {
    // Every weight made non-negative: then z⁺ = z in every layer for non-negative inputs.
    for (const layer of m.layers) {
      const w = layer.getWeights();
      const abs = w.map((t) => tf.abs(t));
      if (abs.length) layer.setWeights(abs);
      tf.dispose(abs);
    }
  }
  return m;
}

test('lrp(model, x, {rule: epsilon}) on a bias-free linear model is x ⊙ w_c scaled by f_c / stab(f_c)', async () => {
  await useBackend();
  const { model, layers } = linearModel(W);
  const xs = [[1, 2, -0.5], [-1, 0.5, 2]];
  const x = tf.tensor2d(xs);
  for (const epsilon of [0, 0.5]) {
    const r = await lrp(model, x, { rule: epsilon === 0 ? 'zero' : 'epsilon', epsilon, target: [0, 1] });
    const got = (await r.values.array()) as number[][];
    xs.forEach((row, i) => {
      const c = i;
      const f = row.reduce((s, v, k) => s + v * W[k][c], 0);
      const scale = f / (f + epsilon * (f >= 0 ? 1 : -1));
      row.forEach((v, k) => assert.ok(Math.abs(got[i][k] - v * W[k][c] * scale) < 1e-5, `ε=${epsilon}: R[${i}][${k}] = ${got[i][k]}, expected ${v * W[k][c] * scale}`));
    });
    r.dispose();
  }
  x.dispose();
  layers.dispose();
});

test('lrp with z-plus on a positive-weight ReLU net and positive inputs equals LRP-ε', async () => {
  await useBackend();
  const layers = reluCnn(false, 3, true);
  const model = fromLayersModel(layers);
  const x = tf.randomUniform([2, 6, 6, 2], 0, 1, 'float32', 4);
  const plus = await lrp(model, x, { rule: 'z-plus', target: 1 });
  const eps = await lrp(model, x, { rule: 'epsilon', target: 1 });
  const scale = await maxAbsDiff(eps.values, new Float32Array(eps.values.size));
  assert.ok(scale > 0);
  assert.ok((await maxAbsDiff(plus.values, eps.values)) < 1e-4 * scale);
  const ab = await lrp(model, x, { rule: 'alpha-beta', alpha: 1, beta: 0, target: 1 });
  assert.ok((await maxAbsDiff(ab.values, plus.values)) < 1e-6 * scale, 'αβ(1, 0) is z⁺');
  tf.dispose([x]);
  [plus, eps, ab].forEach((r) => r.dispose());
  layers.dispose();
});

test('lrp conserves relevance on a bias-free ReLU CNN with ε → 0: Σ R = f_c(x), delta ≈ 0, no warning', async () => {
  await useBackend();
  const layers = reluCnn(false, 5);
  const model = fromLayersModel(layers);
  const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 6);
  const outputs = layers.predict(x) as tf.Tensor;
  const before = tf.memory().numTensors;
  const r = await lrp(model, x, { rule: 'epsilon', epsilon: 1e-9, target: [0, 1, 2] });
  const out = (await outputs.array()) as number[][];
  const summed = tf.tidy(() => r.values.reshape([3, -1]).sum(1));
  const sums = (await summed.array()) as number[];
  summed.dispose();
  sums.forEach((s, i) => assert.ok(Math.abs(s - out[i][i]) < 1e-4 * Math.max(1, Math.abs(out[i][i])), `Σ R = ${s}, f = ${out[i][i]}`));
  (r.meta.delta ?? []).forEach((d, i) => assert.ok(Math.abs(d - (sums[i] - out[i][i])) < 1e-5));
  assert.equal(r.meta.warnings, undefined);
  r.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  tf.dispose([x, outputs]);
  layers.dispose();
});

test('lrp reports the completeness gap: biases absorb relevance → a warning, and strict makes it a LumenError', async () => {
  await useBackend();
  const layers = reluCnn(true, 7);
  const model = fromLayersModel(layers);
  const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 8);
  const r = await lrp(model, x, { rule: 'epsilon', target: 0 });
  assert.equal(r.meta.delta?.length, 2);
  assert.ok((r.meta.delta ?? []).some((d) => Math.abs(d) > 0.01), `delta ${r.meta.delta}`);
  assert.match(String(r.meta.warnings?.[0]), /lrp: relevance does not sum to the output/);
  r.dispose();
  const before = tf.memory().numTensors;
  await assert.rejects(lrp(model, x, { rule: 'epsilon', target: 0, strict: true }), (e: unknown) => e instanceof LumenError && e.code === 'numeric');
  assert.equal(tf.memory().numTensors, before, 'a strict failure leaks nothing');
  const loose = await lrp(model, x, { rule: 'epsilon', target: 0, strict: true, tolerance: 1e6 });
  assert.equal(loose.meta.warnings, undefined);
  loose.dispose();
  x.dispose();
  layers.dispose();
});

test('lrp under a composite without a rule for a layer fails with a LumenError naming the layer', async () => {
  await useBackend();
  const layers = reluCnn(true, 9);
  const model = fromLayersModel(layers);
  const x = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 10);
  const noPool: Composite = { name: 'no-pool', layerMap: baseLayerMap().filter(([k]) => k !== 'max-pool').concat([['linear', epsilonRule()]]) };
  const before = tf.memory().numTensors;
  await assert.rejects(lrp(model, x, { composite: noPool }), (e: unknown) => e instanceof LumenError && /'pool' \(MaxPooling2D/.test(e.message));
  await assert.rejects(lrp(model, x, { rule: 'epsilon', layerRules: { nope: 'flat' } }), (e: unknown) => e instanceof LumenError && /unknown layer 'nope'/.test(e.message));
  await assert.rejects(lrp(model, x, { rule: 'epsilon', composite: 'epsilon-plus' }), LumenError);
  await assert.rejects(lrp(model, x, { rule: 'z-box' }), (e: unknown) => e instanceof LumenError && /low and high/.test(e.message));
  await assert.rejects(lrp(model, x, { rule: 'gamma', gamma: -1 }), (e: unknown) => e instanceof LumenError && /gamma/.test(e.message));
  await assert.rejects(lrp(model, x, { composite: 'nope' as 'captum' }), (e: unknown) => e instanceof LumenError && /unknown composite 'nope'/.test(e.message));
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  layers.dispose();
});

test('lrp refuses a black-box model', async () => {
  await useBackend();
  const model = fromFunction(async (x) => x.sum(1, true), { inputShape: [3], outputShape: [1] });
  const x = tf.ones([1, 3]);
  await assert.rejects(lrp(model, x), (e: unknown) => e instanceof LumenError && e.code === 'not-differentiable');
  x.dispose();
});

test('lrp by name and special first layer agree when they name the same layer; rules change the result', async () => {
  await useBackend();
  const layers = reluCnn(true, 11);
  const model = fromLayersModel(layers);
  const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 12);
  const first = await lrp(model, x, { rule: 'epsilon', firstLayerRule: 'flat', target: 1 });
  const named = await lrp(model, x, { rule: 'epsilon', layerRules: { conv1: 'flat' }, target: 1 });
  const plain = await lrp(model, x, { rule: 'epsilon', target: 1 });
  assert.ok((await maxAbsDiff(first.values, named.values)) < 1e-6);
  assert.ok((await maxAbsDiff(first.values, plain.values)) > 1e-3, 'the flat first layer changes the relevance');
  [first, named, plain].forEach((r) => r.dispose());
  x.dispose();
  layers.dispose();
});

test('lrp leaks no tensors under every composite and rule, with and without the canonizer', async () => {
  await useBackend();
  const layers = reluCnn(true, 13);
  const model = fromLayersModel(layers);
  const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 14);
  const before = tf.memory().numTensors;
  const runs = [
    ...(['captum', 'epsilon-plus', 'epsilon-plus-flat', 'epsilon-alpha2-beta1', 'epsilon-alpha2-beta1-flat', 'epsilon-gamma-box'] as const).map((composite) => ({ composite })),
    ...(['epsilon', 'gamma', 'alpha-beta', 'z-plus', 'flat', 'w-square'] as const).map((rule) => ({ rule })),
    { rule: 'z-box' as const, low: -3, high: 3, canonize: true },
  ];
  for (const options of runs) {
    const r = await lrp(model, x, { ...options, target: 0 });
    const total = r.values.sum();
    assert.ok(Number.isFinite((await total.data())[0]), JSON.stringify(options));
    total.dispose();
    r.dispose();
    assert.equal(tf.memory().numTensors, before, `no leak: ${JSON.stringify(options)}`);
  }
  x.dispose();
  layers.dispose();
});

test('lrp on a functional model with a residual Add (Norm rule) conserves relevance when bias-free with ε → 0', async () => {
  await useBackend();
  const input = tf.input({ shape: [4] });
  const init = (seed: number) => tf.initializers.glorotNormal({ seed });
  const a = tf.layers.dense({ units: 5, activation: 'relu', useBias: false, kernelInitializer: init(21), name: 'a' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.dense({ units: 5, activation: 'relu', useBias: false, kernelInitializer: init(22), name: 'b' }).apply(a) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, useBias: false, kernelInitializer: init(23), name: 'out' }).apply(sum) as tf.SymbolicTensor;
  const layers = tf.model({ inputs: input, outputs: out });
  const model = fromLayersModel(layers);
  const x = tf.tensor2d([[1, -0.5, 2, 0.3], [0.4, 1.2, -1, 0.8]]);
  const r = await lrp(model, x, { rule: 'epsilon', epsilon: 1e-9, target: [0, 1] });
  const y = (await model.predict(x)) as tf.Tensor;
  const f = (await y.array()) as number[][];
  (r.meta.delta ?? []).forEach((d, i) => assert.ok(Math.abs(d) < 1e-4 * Math.max(1, Math.abs(f[i][i])), `delta ${d} for f = ${f[i][i]}`));
  assert.equal(r.meta.delta?.length, 2);
  r.dispose();
  tf.dispose([x, y]);
  layers.dispose();
});
