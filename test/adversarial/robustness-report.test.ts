import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { minimalEpsilon } from '../../src/adversarial/minimal-epsilon.js';
import { robustnessReport } from '../../src/adversarial/robustness-report.js';
import { useBackend } from '../../src/engine/backend.js';
import { linearModel } from '../toy-models.js';

// A linear binary model: z_0 − z_1 = (w_0 − w_1)·x + (b_0 − b_1), ‖w_0 − w_1‖₁ = 2 + 3 + 1 = 6.
const W = [[1, -1], [-2, 1], [0.5, -0.5]];
const B = [0.3, 0];
const X = [[0.5, 0.1, 0.2], [-0.4, 0.3, 0.1], [0.05, 0.2, 0.9], [1.5, -0.5, 0.0]];

/** The closed form on a linear binary model: minimal L∞ ε = |margin| / ‖w_0 − w_1‖₁. */
function closedForm(): number[] {
  return X.map((x) => {
    const m = x.reduce((s, v, i) => s + v * (W[i][0] - W[i][1]), B[0] - B[1]);
    return Math.abs(m) / 6;
  });
}

test('minimalEpsilon(linear binary, x) is margin / ‖w‖₁ for FGSM and L∞ PGD, to the bisection bracket', async () => {
  await useBackend();
  const { model, layers } = linearModel(W, B);
  const x = tf.tensor2d(X);
  const before = tf.memory().numTensors;
  const expected = closedForm();
  for (const attack of ['fgsm', 'pgd'] as const) {
    const got = await minimalEpsilon(model, x, { attack, maxEpsilon: 2, iterations: 24, bounds: [-10, 10] });
    got.forEach((g, i) => assert.ok(g !== null && Math.abs(g - expected[i]) < 1e-5, `${attack} example ${i}: ${g} vs ${expected[i]}`));
  }
  const capped = await minimalEpsilon(model, x, { maxEpsilon: 0.05, bounds: [-10, 10] });
  assert.deepEqual(capped.map((c, i) => c === null ? null : expected[i] <= 0.05), capped.map((c) => (c === null ? null : true)));
  assert.ok(capped.some((c) => c === null), 'an example robust up to maxEpsilon gets null');
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  layers.dispose();
});

test('robustnessReport: accuracy under FGSM by ε is the share of examples whose minimal ε exceeds it, as a curve', async () => {
  await useBackend();
  const { model, layers } = linearModel(W, B);
  const x = tf.tensor2d(X);
  const expected = closedForm();
  const epsilons = [0, 0.02, 0.05, 0.1, 0.15, 0.25, 0.4]; // none at a closed-form ε (a tie keeps the class)
  const report = await robustnessReport(model, x, { epsilons, bounds: [-10, 10], maxEpsilon: 1 });
  assert.equal(report.kind, 'curve');
  assert.deepEqual(report.curves[0].x, epsilons);
  assert.deepEqual(report.curves[0].y, epsilons.map((e) => expected.filter((m) => m > e).length / X.length));
  const minimal = report.meta?.minimalEpsilon as number[];
  minimal.forEach((m, i) => assert.ok(Math.abs(m - expected[i]) < 1e-5));
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
  // by default the search stops at the largest ε of the curve: example 3 (ε* = 0.8) is robust up to it
  const capped = await robustnessReport(model, x, { epsilons, bounds: [-10, 10] });
  assert.equal((capped.meta?.minimalEpsilon as (number | null)[])[3], null);
  x.dispose();
  layers.dispose();
});
