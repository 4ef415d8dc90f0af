import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cholesky } from '../../../src/core/cholesky.js';
import { conditionalGaussian, meanAndCovariance } from '../../../src/attribution/perturbation/conditional-gaussian.js';
import { Rng } from '../../../src/core/random.js';

test('conditionalGaussian of a bivariate normal: mean μ₁ + ρσ₁/σ₂ (x₂ − μ₂), variance σ₁²(1 − ρ²)', () => {
  const [m1, m2, s1, s2, rho] = [1, -2, 2, 0.5, 0.6];
  const mean = Float64Array.from([m1, m2]);
  const cov = Float64Array.from([s1 * s1, rho * s1 * s2, rho * s1 * s2, s2 * s2]);
  const g = conditionalGaussian(mean, cov, 2, Int32Array.from([0]), 0);
  const mu = new Float64Array(1);
  g.conditionalMean([-1.5], mu);
  assert.ok(Math.abs(mu[0] - (m1 + ((rho * s1) / s2) * (-1.5 - m2))) < 1e-12);
  const rng = new Rng(3);
  const out = new Float64Array(1);
  let sum = 0;
  let sq = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    g.sample([-1.5], rng, out);
    sum += out[0];
    sq += out[0] * out[0];
  }
  const variance = sq / n - (sum / n) ** 2;
  assert.ok(Math.abs(sum / n - mu[0]) < 0.05);
  assert.ok(Math.abs(variance - s1 * s1 * (1 - rho * rho)) < 0.06, `variance ${variance}`);
});

test('cholesky(A) gives L with L Lᵀ = A; meanAndCovariance matches the textbook estimates', () => {
  const a = Float64Array.from([4, 2, 0.4, 2, 3, 0.5, 0.4, 0.5, 2]);
  const l = cholesky(a, 3);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    let s = 0;
    for (let k = 0; k < 3; k++) s += l[i * 3 + k] * l[j * 3 + k];
    assert.ok(Math.abs(s - a[i * 3 + j]) < 1e-12);
  }
  assert.throws(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2), /not positive definite/);
  const { mean, cov } = meanAndCovariance(Float64Array.from([1, 2, 3, 6, 5, 10]), 2);
  assert.deepEqual(Array.from(mean), [3, 6]);
  assert.deepEqual(Array.from(cov), [4, 8, 8, 16]);
});
