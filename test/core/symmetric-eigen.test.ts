import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symmetricEigen } from '../../src/core/symmetric-eigen.js';
import { LumenError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  return a;
}

/** max |A V − V Λ| and max |VᵀV − I|. */
function residuals(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): { eig: number; orth: number } {
  let eig = 0;
  let orth = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      let av = 0;
      let vv = 0;
      for (let j = 0; j < n; j++) {
        av += a[i * n + j] * vectors[j * n + k];
        vv += vectors[j * n + i] * vectors[j * n + k];
      }
      eig = Math.max(eig, Math.abs(av - values[k] * vectors[i * n + k]));
      orth = Math.max(orth, Math.abs(vv - (i === k ? 1 : 0)));
    }
  }
  return { eig, orth };
}

test('symmetricEigen: A V = V Λ and VᵀV = I on random symmetric matrices, eigenvalues ascending, trace kept', () => {
  for (const [n, seed] of [[1, 1], [2, 2], [3, 3], [17, 4], [120, 5]]) {
    const a = randomSymmetric(n, seed);
    const { values, vectors } = symmetricEigen(a, n);
    const { eig, orth } = residuals(a, n, values, vectors);
    assert.ok(eig < 1e-10 * n, `n=${n}: |AV − VΛ| = ${eig}`);
    assert.ok(orth < 1e-12 * n, `n=${n}: |VᵀV − I| = ${orth}`);
    for (let i = 1; i < n; i++) assert.ok(values[i] >= values[i - 1]);
    const trace = Array.from({ length: n }, (_, i) => a[i * n + i]).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(values.reduce((s, v) => s + v, 0) - trace) < 1e-10 * n);
  }
});

test('symmetricEigen: closed forms — 2×2, the second-difference matrix 2 − 2cos(kπ/(n+1)), diagonal and repeated eigenvalues', () => {
  const two = symmetricEigen([2, 1, 1, 2], 2);
  assert.ok(Math.abs(two.values[0] - 1) < 1e-15 && Math.abs(two.values[1] - 3) < 1e-15);
  assert.ok(Math.abs(Math.abs(two.vectors[0]) - Math.SQRT1_2) < 1e-15);
  const n = 50;
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    t[i * n + i] = 2;
    if (i > 0) t[i * n + i - 1] = t[(i - 1) * n + i] = -1;
  }
  const { values } = symmetricEigen(t, n);
  for (let k = 1; k <= n; k++) assert.ok(Math.abs(values[k - 1] - (2 - 2 * Math.cos((k * Math.PI) / (n + 1)))) < 1e-13, `k=${k}`);
  const diag = symmetricEigen([3, 0, 0, 0, -1, 0, 0, 0, 2], 3);
  assert.deepEqual(Array.from(diag.values), [-1, 2, 3]);
  // Rank one: u uᵀ has eigenvalues 0 (n−1 times) and |u|².
  const u = [1, 2, 3, 4];
  const r1 = symmetricEigen(u.flatMap((a) => u.map((b) => a * b)), 4);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(r1.values[i]) < 1e-13);
  assert.ok(Math.abs(r1.values[3] - 30) < 1e-12);
  const identity = symmetricEigen([1, 0, 0, 1], 2);
  assert.deepEqual(Array.from(identity.values), [1, 1]);
});

test('symmetricEigen: an asymmetric input is symmetrised; a wrong size is a LumenError', () => {
  const { values } = symmetricEigen([2, 0, 2, 2], 2); // (A + Aᵀ)/2 = [[2, 1], [1, 2]]
  assert.ok(Math.abs(values[0] - 1) < 1e-15 && Math.abs(values[1] - 3) < 1e-15);
  assert.throws(() => symmetricEigen([1, 2, 3], 2), LumenError);
});
