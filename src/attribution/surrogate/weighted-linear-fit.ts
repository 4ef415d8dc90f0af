import { check, LumenError } from '../../core/errors.js';
import { choleskyFactor, choleskySolve } from '../../core/cholesky.js';

/** Options of `weightedLinearFit`. */
export interface WeightedLinearFitOptions {
  /** L2 penalty α on the coefficients (never on the intercept), as scikit-learn's Ridge; 0 is plain least squares. */
  readonly ridge?: number;
  /** Fit an intercept (weighted means are removed first, as scikit-learn does). Default true. */
  readonly intercept?: boolean;
}

/** A fitted weighted linear model y ≈ intercept + X·coef. */
export interface WeightedLinearFit {
  readonly coef: Float64Array;
  readonly intercept: number;
  /** Weighted coefficient of determination 1 − Σw(y − ŷ)² / Σw(y − ȳ_w)² (1 when y is constant and fitted exactly). */
  readonly r2: number;
}

/**
 * Weighted ridge regression in float64: minimises Σ_i w_i (y_i − b − x_i·β)² + α‖β‖² by the
 * normal equations (XᵀWX + αI)β = XᵀWy on weighted-centred data, solved by Cholesky. `x` is
 * row-major `[rows, cols]`. A singular system (α = 0 and collinear or too few rows) is solved with
 * a jitter of 1e-10·trace/cols on the diagonal, the minimum that makes it positive definite.
 * The surrogate fit of LIME (Ribeiro et al., 2016) and KernelSHAP (Lundberg & Lee, 2017).
 */
export function weightedLinearFit(x: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number>, cols: number, options: WeightedLinearFitOptions = {}): WeightedLinearFit {
  const fn = 'weightedLinearFit';
  const rows = y.length;
  const alpha = options.ridge ?? 0;
  const withIntercept = options.intercept ?? true;
  check(Number.isInteger(cols) && cols >= 1, 'option', () => `${fn}: cols must be a positive integer; found ${cols}`);
  check(x.length === rows * cols, 'shape', () => `${fn}: x has ${x.length} values; expected rows × cols = ${rows} × ${cols}`);
  check(w.length === rows, 'shape', () => `${fn}: ${w.length} weights for ${rows} rows`);
  check(alpha >= 0 && Number.isFinite(alpha), 'option', () => `${fn}: ridge must be a finite number ≥ 0; found ${alpha}`);
  let wSum = 0;
  for (let i = 0; i < rows; i++) {
    check(w[i] >= 0 && Number.isFinite(w[i]), 'numeric', () => `${fn}: weights must be finite and ≥ 0; found ${w[i]} at row ${i}`);
    wSum += w[i];
  }
  check(wSum > 0, 'numeric', () => `${fn}: the weights sum to 0; nothing to fit`);
  const xMean = new Float64Array(cols);
  let yMean = 0;
  if (withIntercept) {
    for (let i = 0; i < rows; i++) {
      yMean += w[i] * y[i];
      for (let j = 0; j < cols; j++) xMean[j] += w[i] * x[i * cols + j];
    }
    yMean /= wSum;
    for (let j = 0; j < cols; j++) xMean[j] /= wSum;
  }
  const a = new Float64Array(cols * cols);
  const b = new Float64Array(cols);
  const xc = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    if (w[i] === 0) continue;
    for (let j = 0; j < cols; j++) xc[j] = x[i * cols + j] - xMean[j];
    const yc = y[i] - yMean;
    for (let j = 0; j < cols; j++) {
      const wx = w[i] * xc[j];
      b[j] += wx * yc;
      for (let k = 0; k <= j; k++) a[j * cols + k] += wx * xc[k];
    }
  }
  for (let j = 0; j < cols; j++) {
    for (let k = 0; k < j; k++) a[k * cols + j] = a[j * cols + k];
    a[j * cols + j] += alpha;
  }
  const coef = solveSymmetric(a, b, cols);
  const intercept = withIntercept ? yMean - dot(coef, xMean) : 0;
  let ssRes = 0;
  let ssTot = 0;
  let yBar = 0;
  for (let i = 0; i < rows; i++) yBar += w[i] * y[i];
  yBar /= wSum;
  for (let i = 0; i < rows; i++) {
    let pred = intercept;
    for (let j = 0; j < cols; j++) pred += coef[j] * x[i * cols + j];
    ssRes += w[i] * (y[i] - pred) ** 2;
    ssTot += w[i] * (y[i] - yBar) ** 2;
  }
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0;
  return { coef, intercept, r2 };
}

/**
 * Solves the symmetric positive semi-definite system A·x = b (`a` row-major n×n) by Cholesky
 * (A = LLᵀ) in float64; when A is not positive definite, a diagonal jitter of 1e-10·trace/n (×10
 * until it succeeds, at most 8 times) regularises it. Throws a LumenError for a zero or non-finite A.
 */
export function solveSymmetric(a: Float64Array, b: Float64Array, n: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i];
  check(Number.isFinite(trace), 'numeric', () => `solveSymmetric: the system has non-finite entries`);
  let jitter = 0;
  for (let attempt = 0; attempt < 9; attempt++) {
    const l = stableFactor(a, n, jitter);
    if (l) return choleskySolve(l, b, n);
    jitter = jitter === 0 ? (1e-10 * Math.max(trace, 1e-300)) / n : jitter * 10;
  }
  throw new LumenError('numeric', `solveSymmetric: the ${n}×${n} system is not positive semi-definite (trace ${trace})`);
}

/** The Cholesky factor of A + jitter·I, or null when it fails or a pivot is many orders below the diagonal's scale (numerically singular). */
function stableFactor(a: Float64Array, n: number, jitter: number): Float64Array | null {
  const l = choleskyFactor(a, n, jitter);
  if (l === null) return null;
  let maxDiag = 0;
  for (let j = 0; j < n; j++) maxDiag = Math.max(maxDiag, a[j * n + j] + jitter);
  for (let j = 0; j < n; j++) if (l[j * n + j] ** 2 < 1e-13 * maxDiag) return null;
  return l;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
