/**
 * Cholesky factorisation and solves of symmetric positive definite matrices in float64 (row-major),
 * the one implementation behind the surrogates' weighted least squares and prediction difference's
 * conditional Gaussians.
 */
import { LumenError } from './errors.js';

/** The lower Cholesky factor L of A + jitter·I (L Lᵀ = A + jitter·I), or null when it is not positive definite. */
export function choleskyFactor(a: Float64Array, n: number, jitter = 0): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j] + jitter;
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0) || !Number.isFinite(d)) return null;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** The lower Cholesky factor of a symmetric positive definite n × n matrix; a LumenError when it is not. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = choleskyFactor(a, n);
  if (l === null) throw new LumenError('numeric', `cholesky: the ${n}×${n} matrix is not positive definite`);
  return l;
}

/** x with L Lᵀ x = b, by forward then back substitution on the factor L. */
export function choleskySolve(l: Float64Array, b: ArrayLike<number>, n: number): Float64Array {
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * z[k];
    z[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}
