import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activationMatrix } from '../../src/concepts/activation-matrix.js';
import { accuracy, fitLogisticRegression } from '../../src/concepts/logistic-regression.js';
import { linearProbes, stratifiedSplit } from '../../src/concepts/linear-probe.js';
import { LumenError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';

function blobs(n: number, seed: number, classes = 3): { x: ReturnType<typeof activationMatrix>; y: number[] } {
  const rng = new Rng(seed);
  const y = Array.from({ length: n }, (_, i) => i % classes);
  const data = new Float64Array(n * 2);
  y.forEach((c, i) => {
    data[i * 2] = 4 * Math.cos((2 * Math.PI * c) / classes) + 0.3 * rng.normal();
    data[i * 2 + 1] = 4 * Math.sin((2 * Math.PI * c) / classes) + 0.3 * rng.normal();
  });
  return { x: activationMatrix(data, [n, 2]), y };
}

test('the multinomial fit satisfies its optimality condition W = −C Σᵢ (pᵢ − yᵢ) xᵢᵀ, Σ_k b_k = 0, and separates blobs', () => {
  const { x, y } = blobs(90, 1);
  const C = 0.5;
  const m = fitLogisticRegression(x, y, { C });
  assert.equal(m.coef.length, 3);
  assert.ok(Math.abs(m.intercept.reduce((a, b) => a + b, 0)) < 1e-8);
  const grad = m.coef.map((row) => row.slice());
  const gb = [0, 0, 0];
  for (let i = 0; i < x.rows; i++) {
    const z = m.coef.map((w, c) => m.intercept[c] + w[0] * x.data[i * 2] + w[1] * x.data[i * 2 + 1]);
    const mx = Math.max(...z);
    const e = z.map((v) => Math.exp(v - mx));
    const s = e.reduce((a, b) => a + b, 0);
    for (let c = 0; c < 3; c++) {
      const g = C * (e[c] / s - (y[i] === c ? 1 : 0));
      grad[c][0] += g * x.data[i * 2];
      grad[c][1] += g * x.data[i * 2 + 1];
      gb[c] += g;
    }
  }
  for (const v of [...grad.flat(), ...gb]) assert.ok(Math.abs(v) < 1e-6, `gradient ${v}`);
  assert.equal(accuracy(m, x, y), 1);
});

test('two classes give one coefficient row (scikit-learn’s binary convention) at the binary optimum', () => {
  const { x, y } = blobs(60, 2, 2);
  const m = fitLogisticRegression(x, y.map((c) => c * 5 + 1), { C: 2 });
  assert.deepEqual(m.classes, [1, 6]);
  assert.equal(m.coef.length, 1);
  let g0 = m.coef[0][0];
  for (let i = 0; i < x.rows; i++) {
    const z = m.intercept[0] + m.coef[0][0] * x.data[i * 2] + m.coef[0][1] * x.data[i * 2 + 1];
    g0 += 2 * (1 / (1 + Math.exp(-z)) - y[i]) * x.data[i * 2];
  }
  assert.ok(Math.abs(g0) < 1e-6, String(g0));
});

test('probes by depth: a decodable layer scores above a noise layer on held-out rows; split is stratified and seeded', () => {
  const { x, y } = blobs(150, 3);
  const rng = new Rng(4);
  const noise = activationMatrix(Float64Array.from(rng.normals(300)), [150, 2]);
  const split = stratifiedSplit(y, 0.3, 7);
  assert.deepEqual(split, stratifiedSplit(y, 0.3, 7));
  assert.equal(split.heldout.length, 45);
  for (const c of [0, 1, 2]) assert.equal(split.heldout.filter((i) => y[i] === c).length, 15);
  const [good, bad] = linearProbes(['signal', 'noise'], [x, noise], y, { seed: 7 });
  assert.equal(good.heldoutRows, 45);
  assert.ok(good.heldoutAccuracy > 0.95, String(good.heldoutAccuracy));
  assert.ok(bad.heldoutAccuracy < 0.6, String(bad.heldoutAccuracy));
});

test('probe inputs are checked: one class, wrong label count, bad C', () => {
  const { x } = blobs(10, 5);
  assert.throws(() => fitLogisticRegression(x, new Array(10).fill(0)), (e: unknown) => e instanceof LumenError && /two classes/.test(e.message));
  assert.throws(() => fitLogisticRegression(x, [0, 1]), (e: unknown) => e instanceof LumenError && /one label per row/.test(e.message));
  assert.throws(() => fitLogisticRegression(x, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1], { C: -1 }), (e: unknown) => e instanceof LumenError && /C must be/.test(e.message));
});
