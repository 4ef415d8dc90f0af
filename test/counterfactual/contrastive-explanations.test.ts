import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { contrastiveExplanation } from '../../src/counterfactual/contrastive-explanations.js';
import { shrinkThreshold } from '../../src/counterfactual/elastic-net-fista.js';
import { fromDifferentiable } from '../../src/models/from-differentiable.js';
import { fromFunction } from '../../src/models/from-function.js';

// two classes, logits [0, w·x − b]: class 1 exactly when w·x > b (any κ = 0 boundary is this plane)
const w = [2, 1, 0.05];
const b = 1;
const linear = (x: tf.Tensor): tf.Tensor => tf.tidy(() => {
  const s = x.matMul(tf.tensor2d(w, [3, 1])).sub(b);
  return tf.concat([tf.zerosLike(s), s], 1);
});

/** min β‖δ‖₁ + ‖δ‖²₂ subject to Σ_j a_j δ_j ≥ m (a ≥ 0, δ ≥ 0 optimal): δ_j = max(0, μ a_j − β)/2, μ by bisection. */
function elasticNetToPlane(a: readonly number[], m: number, beta: number, cap: readonly number[] = a.map(() => Infinity)): number[] {
  const delta = (mu: number): number[] => a.map((v, j) => Math.min(cap[j], Math.max(0, mu * v - beta) / 2));
  let lo = 0;
  let hi = 1e3;
  for (let t = 0; t < 200; t++) {
    const mid = (lo + hi) / 2;
    if (delta(mid).reduce((s, v, j) => s + v * a[j], 0) < m) lo = mid; else hi = mid;
  }
  return delta(hi);
}

test('shrinkThreshold is the soft-threshold formula about the centre, then the box', () => {
  const z = Float32Array.from([1.5, -0.2, 0.05, 3, -4]);
  const centre = Float32Array.from([1, 0, 0, 0, 0]);
  const lower = Float32Array.from([-9, -9, -9, -9, -3]);
  const upper = Float32Array.from([9, 9, 9, 2, 9]);
  const out = shrinkThreshold(z, centre, 0.1, lower, upper);
  const expected = Array.from(z, (v, p) => {
    const diff = v - centre[p];
    const s = centre[p] + Math.sign(diff) * Math.max(0, Math.abs(diff) - 0.1);
    return Math.min(upper[p], Math.max(lower[p], s));
  });
  out.forEach((v, p) => assert.ok(Math.abs(v - expected[p]) < 1e-6, `${p}: ${v} vs ${expected[p]}`));
  assert.deepEqual(Array.from(out), Array.from(Float32Array.from([1.4, -0.1, 0, 2, -3])));
});

test('CEM pertinent negative of a linear model lands on the elastic-net projection onto the boundary (gradients and black box)', async () => {
  await useBackend();
  const beta = 0.2;
  const x0 = [0, 0, 0]; // w·x0 − b = −1: class 0, one unit of logit from the boundary
  const expected = elasticNetToPlane(w, b, beta); // [0.42, 0.16, 0]
  for (const model of [fromDifferentiable(linear, { inputShape: [3], outputShape: [2] }), fromFunction(linear, { inputShape: [3], outputShape: [2] })]) {
    const x = tf.tensor2d([x0]);
    const before = tf.memory().numTensors;
    const pn = await contrastiveExplanation(model, x, { mode: 'pn', beta, cInit: 1, cSteps: 6, maxIterations: 300, learningRate: 0.1 });
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(pn.originalPredictions, [0]);
    assert.deepEqual(pn.predictions, [1], 'the class flips');
    assert.deepEqual(pn.meta?.found, [true]);
    pn.inputs.forEach((v, j) => assert.ok(Math.abs(v - expected[j]) < 0.02, `δ_${j} = ${v}, closed form ${expected[j]} (${pn.inputs} vs ${expected})`));
    x.dispose();
  }
});
