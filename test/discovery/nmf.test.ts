import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LumenError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { nmf } from '../../src/discovery/nmf.js';

/** A random non-negative matrix of exact rank r: U0 W0 with uniform factors. */
function lowRank(n: number, p: number, r: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const u = rng.uniforms(n * r);
  const w = rng.uniforms(r * p);
  const a = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let k = 0; k < r; k++) for (let j = 0; j < p; j++) a[i * p + j] += u[i * r + k] * w[k * p + j];
  return a;
}

test('nmf: factors are non-negative, the residual never increases (Lee & Seung), and an exact rank-3 matrix is fitted closely', () => {
  const [n, p] = [60, 12];
  const a = lowRank(n, p, 3, 4);
  const f = nmf(a, n, p, 3, { maxIterations: 2000, tol: 0, seed: 1 });
  assert.ok([...f.u, ...f.w].every((v) => v >= 0));
  for (let i = 1; i < f.errors.length; i++) assert.ok(f.errors[i] <= f.errors[i - 1] + 1e-9, `error rose at check ${i}: ${f.errors[i - 1]} → ${f.errors[i]}`);
  const norm = Math.hypot(...a);
  assert.ok(f.errors[f.errors.length - 1] / norm < 0.01, `relative error ${f.errors[f.errors.length - 1] / norm}`);
  assert.ok(f.errors[f.errors.length - 1] < f.errors[0] / 10);
  assert.equal(f.iterations, 2000);
});

test('nmf: the same seed gives the same factors, another seed others; tol stops early', () => {
  const a = lowRank(30, 8, 2, 9);
  const f1 = nmf(a, 30, 8, 2, { seed: 3 });
  const f2 = nmf(a, 30, 8, 2, { seed: 3 });
  const f3 = nmf(a, 30, 8, 2, { seed: 4 });
  assert.deepEqual(f1.u, f2.u);
  assert.deepEqual(f1.w, f2.w);
  assert.notDeepEqual(f1.u, f3.u);
  // scikit-learn's rule: stop at the first check (every 10 iterations) whose drop since the previous check is below tol · the initial error.
  const tol = 0.01;
  const early = nmf(a, 30, 8, 2, { seed: 3, tol, maxIterations: 5000 });
  const e = early.errors;
  assert.ok(early.iterations < 5000 && early.iterations % 10 === 0, `${early.iterations} iterations`);
  assert.equal(e.length, early.iterations / 10 + 1);
  assert.ok((e[e.length - 2] - e[e.length - 1]) / e[0] < tol);
  for (let i = 1; i < e.length - 1; i++) assert.ok((e[i - 1] - e[i]) / e[0] >= tol, `check ${i} should not have stopped`);
});

test('nmf refuses negative entries, a bad rank and an all-zero matrix with a LumenError', () => {
  assert.throws(() => nmf([1, -1, 2, 3], 2, 2, 1), (e: unknown) => e instanceof LumenError && /non-negative finite matrix; found -1/.test(e.message));
  assert.throws(() => nmf([1, 1, 2, 3], 2, 2, 3), (e: unknown) => e instanceof LumenError && /rank must be an integer in \[1, min\(n, p\) = 2\]; found 3/.test(e.message));
  assert.throws(() => nmf([0, 0, 0, 0], 2, 2, 1), (e: unknown) => e instanceof LumenError && /all zeros/.test(e.message));
  assert.throws(() => nmf([1, 2, 3], 2, 2, 1), (e: unknown) => e instanceof LumenError && /expected 2 × 2 = 4 values; found 3/.test(e.message));
});
