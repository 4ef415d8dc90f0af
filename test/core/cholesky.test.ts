import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choleskyFactor, choleskySolve } from '../../src/core/cholesky.js';

test('choleskySolve(choleskyFactor(A), b) solves A x = b', () => {
  const a = Float64Array.from([4, 2, 0.4, 2, 5, 1, 0.4, 1, 3]);
  const x = Float64Array.from([1, -2, 0.5]);
  const b = [0, 1, 2].map((i) => a[i * 3] * x[0] + a[i * 3 + 1] * x[1] + a[i * 3 + 2] * x[2]);
  const l = choleskyFactor(a, 3);
  assert.ok(l !== null);
  choleskySolve(l, b, 3).forEach((v, i) => assert.ok(Math.abs(v - x[i]) < 1e-12, `x${i} = ${v}`));
});

test('choleskyFactor is null for a matrix that is not positive definite, and factors it once jittered enough', () => {
  const a = Float64Array.from([1, 1, 1, 1]);
  assert.equal(choleskyFactor(a, 2), null);
  const l = choleskyFactor(a, 2, 0.5);
  assert.ok(l !== null);
  // L Lᵀ = A + 0.5 I
  assert.ok(Math.abs(l[0] * l[0] - 1.5) < 1e-12 && Math.abs(l[2] * l[0] - 1) < 1e-12 && Math.abs(l[2] * l[2] + l[3] * l[3] - 1.5) < 1e-12);
});
