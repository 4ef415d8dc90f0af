import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LumenError } from '../../../src/core/errors.js';
import { Rng } from '../../../src/core/random.js';
import { solveSymmetric, weightedLinearFit } from '../../../src/attribution/surrogate/weighted-linear-fit.js';

test('weightedLinearFit recovers an exact linear relation with intercept (R² = 1) whatever the weights', () => {
  const rng = new Rng(3);
  const rows = 40;
  const cols = 3;
  const beta = [2, -1.5, 0.25];
  const x = Float64Array.from({ length: rows * cols }, () => rng.normal());
  const y = Float64Array.from({ length: rows }, (_, i) => 0.7 + beta.reduce((a, b, j) => a + b * x[i * cols + j], 0));
  const w = Float64Array.from({ length: rows }, () => 0.1 + rng.uniform());
  const fit = weightedLinearFit(x, y, w, cols);
  beta.forEach((b, j) => assert.ok(Math.abs(fit.coef[j] - b) < 1e-10, `coef ${j}: ${fit.coef[j]} vs ${b}`));
  assert.ok(Math.abs(fit.intercept - 0.7) < 1e-10);
  assert.ok(Math.abs(fit.r2 - 1) < 1e-12);
});

test('weightedLinearFit equals the weighted normal equations solved by hand (1 feature, ridge, intercept)', () => {
  const x = [0, 1, 2, 3];
  const y = [1, 2, 2, 5];
  const w = [1, 2, 1, 0.5];
  const alpha = 0.3;
  const sw = w.reduce((a, b) => a + b, 0);
  const mx = w.reduce((a, wi, i) => a + wi * x[i], 0) / sw;
  const my = w.reduce((a, wi, i) => a + wi * y[i], 0) / sw;
  const sxx = w.reduce((a, wi, i) => a + wi * (x[i] - mx) ** 2, 0);
  const sxy = w.reduce((a, wi, i) => a + wi * (x[i] - mx) * (y[i] - my), 0);
  const slope = sxy / (sxx + alpha);
  const fit = weightedLinearFit(x, y, w, 1, { ridge: alpha });
  assert.ok(Math.abs(fit.coef[0] - slope) < 1e-12);
  assert.ok(Math.abs(fit.intercept - (my - slope * mx)) < 1e-12);
  const res = w.reduce((a, wi, i) => a + wi * (y[i] - fit.intercept - slope * x[i]) ** 2, 0);
  const tot = w.reduce((a, wi, i) => a + wi * (y[i] - my) ** 2, 0);
  assert.ok(Math.abs(fit.r2 - (1 - res / tot)) < 1e-12);
});

test('weightedLinearFit without intercept fits through the origin; zero-weight rows are ignored', () => {
  const fit = weightedLinearFit([1, 2, 3, 100], [2, 4, 6, -7], [1, 1, 1, 0], 1, { intercept: false });
  assert.ok(Math.abs(fit.coef[0] - 2) < 1e-12);
  assert.equal(fit.intercept, 0);
});

test('solveSymmetric solves a positive definite system and regularises a singular one to a finite solution', () => {
  const a = Float64Array.of(4, 2, 2, 3);
  const x = solveSymmetric(a, Float64Array.of(2, 1), 2);
  assert.ok(Math.abs(4 * x[0] + 2 * x[1] - 2) < 1e-12 && Math.abs(2 * x[0] + 3 * x[1] - 1) < 1e-12);
  const s = solveSymmetric(Float64Array.of(1, 1, 1, 1), Float64Array.of(2, 2), 2);
  assert.ok(Number.isFinite(s[0]) && Math.abs(s[0] + s[1] - 2) < 1e-6);
});

test('weightedLinearFit rejects mismatched sizes and bad weights with LumenErrors', () => {
  assert.throws(() => weightedLinearFit([1, 2, 3], [1, 2], [1, 1], 2), LumenError);
  assert.throws(() => weightedLinearFit([1, 2], [1, 2], [1], 1), LumenError);
  assert.throws(() => weightedLinearFit([1, 2], [1, 2], [1, -1], 1), /weights must be finite and ≥ 0/);
  assert.throws(() => weightedLinearFit([1, 2], [1, 2], [0, 0], 1), /sum to 0/);
  assert.throws(() => weightedLinearFit([1, 2], [1, 2], [1, 1], 1, { ridge: -1 }), /ridge/);
});
