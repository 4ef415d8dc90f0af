import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activationMatrix, type ActivationMatrix } from '../../src/concepts/activation-matrix.js';
import { canonicalCorrelations } from '../../src/concepts/cca.js';
import { linearCka, linearCkaMatrix } from '../../src/concepts/linear-cka.js';
import { svcca, svdReduce } from '../../src/concepts/svcca.js';
import { LumenError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';

function gaussian(rows: number, cols: number, seed: number): ActivationMatrix {
  const rng = new Rng(seed);
  return activationMatrix(Float64Array.from(rng.normals(rows * cols)), [rows, cols]);
}

/** X·A for a [cols × out] matrix A given row-major. */
function times(x: ActivationMatrix, a: readonly number[], out: number): ActivationMatrix {
  const data = new Float64Array(x.rows * out);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < out; j++) {
    let s = 0;
    for (let k = 0; k < x.cols; k++) s += x.data[i * x.cols + k] * a[k * out + j];
    data[i * out + j] = s;
  }
  return { rows: x.rows, cols: out, data };
}

test('linear CKA is 1 under rotation, isotropic scaling and translation, and symmetric', () => {
  const x = gaussian(80, 3, 1);
  const c = Math.cos(0.7);
  const s = Math.sin(0.7);
  // A rotation in the first two axes, scaled by 3, plus a constant shift.
  const y = times(x, [3 * c, -3 * s, 0, 3 * s, 3 * c, 0, 0, 0, 3], 3);
  const shifted = { ...y, data: y.data.map((v) => v + 5) };
  assert.ok(Math.abs(linearCka(x, shifted) - 1) < 1e-12);
  const z = gaussian(80, 4, 2);
  assert.ok(Math.abs(linearCka(x, z) - linearCka(z, x)) < 1e-15);
  const m = linearCkaMatrix([x, z, shifted]);
  assert.deepEqual(m.map((r) => r.length), [3, 3, 3]);
  assert.ok(Math.abs(m[0][0] - 1) < 1e-12 && Math.abs(m[0][2] - 1) < 1e-12);
});

test('linearCkaMatrix (one centred Gram matrix per layer) gives each pair\'s linearCka, narrow and wide layers alike', () => {
  // 30 rows: layers of 3 and 12 units take the feature-space form in linearCka, 50 and 200 the Gram form.
  const base = gaussian(30, 3, 5);
  const mixed = times(base, Array.from({ length: 36 }, (_, k) => Math.sin(k + 1)), 12);
  const layers = [base, { ...mixed, data: mixed.data.map(Math.tanh) }, gaussian(30, 50, 6), gaussian(30, 200, 7)];
  const m = linearCkaMatrix(layers);
  for (let i = 0; i < layers.length; i++) for (let j = 0; j < layers.length; j++) {
    assert.ok(Math.abs(m[i][j] - linearCka(layers[i], layers[j])) < 1e-12, `(${i}, ${j}): ${m[i][j]} vs ${linearCka(layers[i], layers[j])}`);
  }
  assert.ok(m[0][1] > 0.3 && m[0][2] < m[0][1], `a function of the first layer is closer to it than noise: ${m[0][1]}, ${m[0][2]}`);
  assert.throws(() => linearCkaMatrix([base, gaussian(29, 3, 8)]), LumenError);
});

test('linear CKA equals the HSIC form tr(KHLH) / sqrt(tr(KHKH) tr(LHLH)) with K = XXᵀ, L = YYᵀ', () => {
  const x = gaussian(12, 3, 3);
  const y = gaussian(12, 5, 4);
  const n = 12;
  const gram = (m: ActivationMatrix): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let k = 0; k < m.cols; k++) s += m.data[i * m.cols + k] * m.data[j * m.cols + k];
    return s;
  }));
  const centre = (k: number[][]): number[][] => {
    const row = k.map((r) => r.reduce((a, b) => a + b, 0) / n);
    const all = row.reduce((a, b) => a + b, 0) / n;
    return k.map((r, i) => r.map((v, j) => v - row[i] - row[j] + all));
  };
  const hsic = (a: number[][], b: number[][]): number => a.reduce((s, r, i) => s + r.reduce((t, v, j) => t + v * b[j][i], 0), 0);
  const kc = centre(gram(x));
  const lc = centre(gram(y));
  const want = hsic(kc, lc) / Math.sqrt(hsic(kc, kc) * hsic(lc, lc));
  assert.ok(Math.abs(linearCka(x, y) - want) < 1e-12, `${linearCka(x, y)} vs ${want}`);
});

test('CCA of a layer and an invertible linear map of it has every coefficient 1; of independent noise, small ones', () => {
  const x = gaussian(300, 3, 5);
  const y = times(x, [1, 2, 0, 0, 1, -1, 3, 0, 1], 3);
  const r = canonicalCorrelations(x, y);
  assert.equal(r.coefficients.length, 3);
  for (const rho of r.coefficients) assert.ok(Math.abs(rho - 1) < 1e-9, String(rho));
  const noise = canonicalCorrelations(x, gaussian(300, 2, 6));
  assert.equal(noise.coefficients.length, 2);
  assert.ok(noise.coefficients[0] < 0.25 && noise.coefficients[0] >= noise.coefficients[1], String(noise.coefficients));
});

test('CCA recovers one planted correlation: y₀ = ρ·x₀ + √(1−ρ²)·noise gives a leading coefficient near ρ', () => {
  const n = 4000;
  const x = gaussian(n, 2, 7);
  const e = gaussian(n, 2, 8);
  const rho = 0.6;
  const data = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    data[i * 2] = rho * x.data[i * 2] + Math.sqrt(1 - rho * rho) * e.data[i * 2];
    data[i * 2 + 1] = e.data[i * 2 + 1];
  }
  const r = canonicalCorrelations(x, { rows: n, cols: 2, data });
  assert.ok(Math.abs(r.coefficients[0] - rho) < 0.03, String(r.coefficients));
  assert.ok(r.coefficients[1] < 0.06);
});

test('a rank-deficient layer is a LumenError naming the rank, not NaN; so are constant layers and mismatched rows', () => {
  const x = gaussian(50, 2, 9);
  const dup = times(x, [1, 0, 2, 0, 1, -1], 3); // three units spanning two directions
  assert.throws(() => canonicalCorrelations(dup, x), (e: unknown) => e instanceof LumenError && /rank 2 of 3/.test(e.message));
  const constant = activationMatrix(new Float64Array(100).fill(1), [50, 2]);
  assert.throws(() => canonicalCorrelations(x, constant), (e: unknown) => e instanceof LumenError && /constant/.test(e.message));
  assert.throws(() => canonicalCorrelations(x, gaussian(40, 2, 1)), (e: unknown) => e instanceof LumenError && /50 and 40 rows/.test(e.message));
  assert.throws(() => linearCka(x, { rows: 50, cols: 2, data: x.data.map((v, i) => (i === 7 ? NaN : v)) }), (e: unknown) => e instanceof LumenError && /non-finite/.test(e.message));
});

test('SVCCA keeps the top singular directions: a layer plus low-variance extra units matches the layer itself', () => {
  const x = gaussian(200, 3, 10);
  const small = gaussian(200, 2, 11);
  const wide = activationMatrix(Float64Array.from({ length: 200 * 5 }, (_, k) => {
    const i = Math.floor(k / 5);
    const j = k % 5;
    return j < 3 ? 10 * x.data[i * 3 + j] : 0.01 * small.data[i * 2 + j - 3];
  }), [200, 5]);
  const red = svdReduce(wide, 3);
  assert.equal(red.singularValues.length, 5);
  assert.ok(red.singularValues[2] > 100 * red.singularValues[3]);
  const r = svcca(x, wide, { keepDims: [3, 3] });
  for (const rho of r.coefficients) assert.ok(Math.abs(rho - 1) < 1e-4, String(rho));
  assert.throws(() => svcca(x, wide, { keepDims: 6 }), (e: unknown) => e instanceof LumenError && /keepDims/.test(e.message));
});
