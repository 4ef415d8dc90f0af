import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maximizeLinear } from '../../src/core/linear-program.js';
import { LumenError } from '../../src/core/errors.js';

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

test('maximizeLinear solves a textbook program (optimum at a vertex: x = 3, y = 1, value 11)', () => {
  const r = maximizeLinear([3, 2], [
    { coefficients: [1, 1], op: '<=', rhs: 4 },
    { coefficients: [1, 3], op: '<=', rhs: 6 },
    { coefficients: [1, 0], op: '<=', rhs: 3 },
  ]);
  close(r.x[0], 3);
  close(r.x[1], 1);
  close(r.value, 11);
});

test('maximizeLinear handles equalities, ≥ rows and negative right-hand sides (phase 1)', () => {
  // max −x − 2y  s.t. x + y = 2, x ≤ 1.5, −y ≤ −0.25 (y ≥ 0.25): x = 1.5, y = 0.5
  const r = maximizeLinear([-1, -2], [
    { coefficients: [1, 1], op: '=', rhs: 2 },
    { coefficients: [1, 0], op: '<=', rhs: 1.5 },
    { coefficients: [0, -1], op: '<=', rhs: -0.25 },
  ]);
  close(r.x[0], 1.5);
  close(r.x[1], 0.5);
  close(r.value, -2.5);
  // a redundant equality row (twice the same) keeps the answer
  const s = maximizeLinear([1, 0], [
    { coefficients: [1, 1], op: '=', rhs: 1 },
    { coefficients: [2, 2], op: '=', rhs: 2 },
    { coefficients: [1, 0], op: '>=', rhs: 0.2 },
  ]);
  close(s.x[0], 1);
});

test('maximizeLinear refuses infeasible and unbounded programs and rows of the wrong length', () => {
  assert.throws(() => maximizeLinear([1], [{ coefficients: [1], op: '<=', rhs: 1 }, { coefficients: [1], op: '>=', rhs: 2 }]), (e: unknown) => e instanceof LumenError && /infeasible/.test(e.message));
  assert.throws(() => maximizeLinear([1, 0], [{ coefficients: [1, -1], op: '<=', rhs: 1 }]), (e: unknown) => e instanceof LumenError && /unbounded/.test(e.message));
  assert.throws(() => maximizeLinear([1, 0], [{ coefficients: [1], op: '<=', rhs: 1 }]), LumenError);
});
