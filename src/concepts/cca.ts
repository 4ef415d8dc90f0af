import { check, LumenError } from '../core/errors.js';
import { symmetricEigen } from '../core/symmetric-eigen.js';
import { centreColumns, checkPairedActivations, crossProduct, matmul, type ActivationMatrix } from './activation-matrix.js';

/** Options of `canonicalCorrelations`, as google/svcca's `get_cca_similarity` names them. */
export interface CcaOptions {
  /** Units whose rescaled variance is below this are dropped, and it is added to both covariance diagonals (default 0). */
  readonly epsilon?: number;
  /** The fraction of the sum of coefficients `meanThresholded` keeps (default 0.98, svcca's). */
  readonly threshold?: number;
}

/** Canonical correlations between two layers, largest first, with the units kept. */
export interface CcaResult {
  /** ρ₁ ≥ ρ₂ ≥ … ≥ 0, min(kept units of each layer) of them. */
  readonly coefficients: number[];
  /** Mean of every coefficient (the SVCCA similarity). */
  readonly mean: number;
  /** Mean of the leading coefficients whose partial sum first reaches `threshold` of the total (all of them if none). */
  readonly meanThresholded: number;
  /** Units of each layer kept (variance ≥ epsilon after rescaling). */
  readonly keptA: number[];
  readonly keptB: number[];
}

/** Rows and columns `keep` of a square row-major matrix of size n. */
function subMatrix(m: Float64Array, n: number, rowsKeep: readonly number[], colsKeep: readonly number[]): Float64Array {
  const out = new Float64Array(rowsKeep.length * colsKeep.length);
  rowsKeep.forEach((r, i) => colsKeep.forEach((c, j) => (out[i * colsKeep.length + j] = m[r * n + c])));
  return out;
}

/**
 * S^(-1/2) of a symmetric positive semi-definite matrix by its eigenvectors (svcca: pinv then the
 * positive-definite square root). Refuses a numerically singular matrix: CCA is undefined there.
 */
function inverseSquareRoot(s: Float64Array, n: number, which: string): Float64Array {
  const { values, vectors } = symmetricEigen(s, n);
  const largest = values[n - 1];
  const rank = values.filter((v) => v > 1e-12 * largest).length;
  if (rank < n) {
    throw new LumenError('numeric', `canonicalCorrelations: the ${which} layer's covariance has rank ${rank} of ${n} units (linearly dependent units or fewer examples than units); expected full rank — reduce it first (svcca with keepDims ≤ ${rank}) or pass epsilon > 0`);
  }
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const w = 1 / Math.sqrt(values[k]);
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k] * w;
      for (let j = 0; j < n; j++) out[i * n + j] += vik * vectors[j * n + k];
    }
  }
  return out;
}

/** Mean of the leading values whose partial sum first reaches `threshold` of the total (svcca's sum_threshold). */
function thresholdedMean(s: readonly number[], threshold: number): number {
  const total = s.reduce((a, b) => a + b, 0);
  let partial = 0;
  for (let i = 0; i < s.length; i++) {
    if (total > 0 && partial / total >= threshold && i > 0) return s.slice(0, i).reduce((a, b) => a + b, 0) / i;
    partial += s[i];
  }
  return s.length ? total / s.length : 0;
}

/**
 * Canonical correlation analysis between two layers' activations of the same examples (Hotelling
 * 1936), computed as google/svcca's `get_cca_similarity` does (Raghu et al. 2017): the joint
 * covariance (ddof 1) with each block rescaled by its largest entry, units of variance below
 * `epsilon` dropped, `epsilon`·I added, and ρ the singular values of Σxx^(-1/2) Σxy Σyy^(-1/2).
 * A rank-deficient covariance is a LumenError (not NaN).
 */
export function canonicalCorrelations(a: ActivationMatrix, b: ActivationMatrix, options: CcaOptions = {}): CcaResult {
  checkPairedActivations('canonicalCorrelations', a, b);
  const epsilon = options.epsilon ?? 0;
  const threshold = options.threshold ?? 0.98;
  check(epsilon >= 0 && Number.isFinite(epsilon), 'option', () => `canonicalCorrelations: epsilon must be a finite number ≥ 0; found ${epsilon}`);
  check(threshold >= 0 && threshold <= 1, 'option', () => `canonicalCorrelations: threshold must lie in [0, 1]; found ${threshold}`);
  const ac = centreColumns(a);
  const bc = centreColumns(b);
  const scale = 1 / (a.rows - 1);
  const p = a.cols;
  const q = b.cols;
  const sxx = crossProduct(ac, ac).map((v) => v * scale);
  const syy = crossProduct(bc, bc).map((v) => v * scale);
  const sxy = crossProduct(ac, bc).map((v) => v * scale);
  const xmax = sxx.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const ymax = syy.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  check(xmax > 0 && ymax > 0, 'numeric', () => `canonicalCorrelations: the ${xmax > 0 ? 'second' : 'first'} layer is constant over the examples; expected varying activations`);
  const keptA = [...Array(p).keys()].filter((i) => Math.abs(sxx[i * p + i] / xmax) >= epsilon);
  const keptB = [...Array(q).keys()].filter((i) => Math.abs(syy[i * q + i] / ymax) >= epsilon);
  check(keptA.length > 0 && keptB.length > 0, 'numeric', () => `canonicalCorrelations: every unit of the ${keptA.length ? 'second' : 'first'} layer has variance below epsilon ${epsilon}`);
  const m = keptA.length;
  const n = keptB.length;
  const xx = subMatrix(sxx, p, keptA, keptA).map((v) => v / xmax);
  const yy = subMatrix(syy, q, keptB, keptB).map((v) => v / ymax);
  const xyScale = 1 / Math.sqrt(xmax * ymax);
  const xy = new Float64Array(m * n);
  keptA.forEach((r, i) => keptB.forEach((c, j) => (xy[i * n + j] = sxy[r * q + c] * xyScale)));
  for (let i = 0; i < m; i++) xx[i * m + i] += epsilon;
  for (let i = 0; i < n; i++) yy[i * n + i] += epsilon;
  const ix = inverseSquareRoot(xx, m, 'first');
  const iy = inverseSquareRoot(yy, n, 'second');
  const arr = matmul(matmul(ix, xy, m, m, n), iy, m, n, n);
  // Singular values of arr (m × n): square roots of the eigenvalues of its smaller Gram matrix.
  const small = Math.min(m, n);
  const gram = new Float64Array(small * small);
  for (let i = 0; i < small; i++) for (let j = i; j < small; j++) {
    let s = 0;
    if (m <= n) for (let k = 0; k < n; k++) s += arr[i * n + k] * arr[j * n + k];
    else for (let k = 0; k < m; k++) s += arr[k * n + i] * arr[k * n + j];
    gram[i * small + j] = gram[j * small + i] = s;
  }
  const coefficients = Array.from(symmetricEigen(gram, small).values).map((v) => Math.sqrt(Math.max(v, 0))).reverse();
  const mean = coefficients.reduce((s, v) => s + v, 0) / coefficients.length;
  return { coefficients, mean, meanThresholded: thresholdedMean(coefficients, threshold), keptA, keptB };
}
