import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fgsm } from '../../src/adversarial/fgsm.js';
import { attackExplanation } from '../../src/adversarial/attack-result.js';
import { LumenError } from '../../src/core/errors.js';
import type { Model } from '../../src/core/model.js';
import { useBackend } from '../../src/engine/backend.js';
import { linearModel } from '../toy-models.js';

// Two classes, three features: w_0 − w_1 = [2, −3, 0] (the third feature does not matter to the margin).
const W = [[1, -1], [-2, 1], [0.5, 0.5]];
const B = [0.1, -0.2];

/** A model whose taped passes are counted (predict is not). */
function runSpy(model: Model): { model: Model; runs: () => number } {
  let runs = 0;
  return { model: { ...model, run: (x, o) => (runs++, model.run(x, o)) }, runs: () => runs };
}

test('fgsm(linear, x) moves x by ε·sign(w_o − w_t) (lower target score), once, and leaves zero-gradient features', async () => {
  await useBackend();
  const { model, layers } = linearModel(W, B);
  const spy = runSpy(model);
  const x = tf.tensor2d([[0.2, -0.1, 0.4], [-0.3, 0.5, 0.0]]);
  const before = tf.memory().numTensors;
  const r = await fgsm(spy.model, x, { epsilon: 0.25, target: [0, 1], bounds: [-10, 10] });
  assert.equal(spy.runs(), 1, 'one gradient call for the whole batch');
  const got = Array.from(await r.perturbed.data());
  // example 0 (class 0): x − ε·sign(w_0 − w_1); example 1 (class 1): x + ε·sign(w_0 − w_1); feature 2 has zero gradient
  const expected = [0.2 - 0.25, -0.1 + 0.25, 0.4, -0.3 + 0.25, 0.5 - 0.25, 0.0];
  got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `element ${i}: ${v} vs ${expected[i]}`));
  // the target's margin drops by exactly ε·‖w_t − w_o‖₁ = 0.25 · 5
  const margin = (t: tf.Tensor): number[] => tf.tidy(() => {
    const z = layers.predict(t) as tf.Tensor2D;
    return Array.from(z.slice([0, 0], [-1, 1]).sub(z.slice([0, 1], [-1, 1])).dataSync());
  });
  const m0 = margin(x);
  const m1 = margin(r.perturbed);
  assert.ok(Math.abs(m0[0] - m1[0] - 1.25) < 1e-5 && Math.abs(m1[1] - m0[1] - 1.25) < 1e-5);
  assert.deepEqual(r.linf.map((v) => Math.round(v * 1e6) / 1e6), [0.25, 0.25]);
  const record = await attackExplanation(r);
  assert.equal(record.kind, 'attack');
  assert.deepEqual(record.shape, [3]);
  assert.equal(JSON.parse(JSON.stringify(record)).inputs.length, 6);
  r.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  x.dispose();
  layers.dispose();
});

test('fgsm targeted steps towards the target, clamps into the bounds, and takes ε per example', async () => {
  await useBackend();
  const { model, layers } = linearModel(W, B);
  const x = tf.tensor2d([[0.9, 0.05, 0.4], [0.5, 0.5, 0.5]]);
  const r = await fgsm(model, x, { epsilon: [0.25, 0.1], target: [1, 0], targeted: true, bounds: [0, 1] });
  const got = Array.from(await r.perturbed.data());
  // towards class 1 means descending its loss: x − ε·sign(w_0 − w_1) for example 0, then clamped into [0, 1]
  const expected = [0.65, 0.3, 0.4, 0.6, 0.4, 0.5];
  got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `element ${i}: ${v} vs ${expected[i]}`));
  const clamped = await fgsm(model, x, { epsilon: 0.75, target: [1, 0], targeted: true, bounds: [0, 1] });
  const c = Array.from(await clamped.perturbed.data());
  const clampedExpected = [0.15, 0.8, 0.4, 1, 0, 0.5]; // example 1 would reach [1.25, −0.25, 0.5]
  c.forEach((v, i) => assert.ok(Math.abs(v - clampedExpected[i]) < 1e-6, `element ${i}: ${v} vs ${clampedExpected[i]}`));
  tf.dispose([x, r.perturbed, clamped.perturbed]);
  layers.dispose();
});

test('fgsm refuses bad options with a LumenError naming what it expected', async () => {
  await useBackend();
  const { model, layers } = linearModel(W, B);
  const x = tf.tensor2d([[0.2, -0.1, 0.4]]);
  const before = tf.memory().numTensors;
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ epsilon: 0.1 }, /bounds must be the data range \[lo, hi\]/],
    [{ epsilon: 0.1, bounds: [1, 0] }, /lo < hi; found \[1,0\]/],
    [{ epsilon: -1, bounds: [0, 1] }, /epsilon must be finite and ≥ 0; found -1/],
    [{ epsilon: [0.1, 0.2], bounds: [0, 1] }, /one number per example \(1\)/],
    [{ epsilon: 0.1, bounds: [0, 1], targeted: true }, /a targeted attack needs a target class/],
    [{ epsilon: 0.1, bounds: [0, 1], loss: 'log-probability' }, /needs a model whose outputs are probabilities/],
    [{ epsilon: 0.1, bounds: [0, 1], target: 7 }, /target 7 is out of range/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(fgsm(model, x, options as never), (e: unknown) => e instanceof LumenError && message.test(e.message), JSON.stringify(options));
  }
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  layers.dispose();
});
