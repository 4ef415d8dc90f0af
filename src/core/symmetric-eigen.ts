import { check } from './errors.js';

/**
 * Householder reduction of the symmetric matrix held in `v` (n×n, overwritten by the accumulated
 * orthogonal transformation Q, stored column-major — i.e. `v` ends as Qᵀ row-major — so that the
 * inner loops, which walk down columns, run over contiguous memory) to tridiagonal form: `d` receives the diagonal, `e`
 * the sub-diagonal in e[1..n-1] (Householder 1958; the EISPACK tred2 procedure, Wilkinson &
 * Reinsch 1971).
 */
function tridiagonalise(v: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  const at = (r: number, c: number): number => c * n + r;
  for (let j = 0; j < n; j++) d[j] = v[at(n - 1, j)];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[at(i - 1, j)];
        v[at(i, j)] = 0;
        v[at(j, i)] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[at(j, i)] = f;
        g = e[j] + v[at(j, j)] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[at(k, j)] * d[k];
          e[k] += v[at(k, j)] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) v[at(k, j)] -= f * e[k] + g * d[k];
        d[j] = v[at(i - 1, j)];
        v[at(i, j)] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    v[at(n - 1, i)] = v[at(i, i)];
    v[at(i, i)] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[at(k, i + 1)] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[at(k, i + 1)] * v[at(k, j)];
        for (let k = 0; k <= i; k++) v[at(k, j)] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[at(k, i + 1)] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[at(n - 1, j)];
    v[at(n - 1, j)] = 0;
  }
  v[at(n - 1, n - 1)] = 1;
  e[0] = 0;
}

/**
 * Eigenvalues (into `d`) and eigenvectors (the ROWS of `w`, which holds Qᵀ on entry, so that
 * every rotation runs over contiguous memory) of the
 * symmetric tridiagonal matrix (d, e) by the QL algorithm with implicit Wilkinson shifts (the
 * EISPACK tql2 procedure, Bowdler, Martin, Reinsch & Wilkinson 1968).
 */
function tridiagonalQl(w: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let shift = 0;
  let norm = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    norm = Math.max(norm, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * norm) m++;
    if (m > l) {
      for (let iteration = 0; Math.abs(e[l]) > eps * norm; iteration++) {
        check(iteration < 60, 'numeric', () => `symmetricEigen: the QL iteration did not converge at eigenvalue ${l}`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        shift += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const lo = i * n;
          const hi = lo + n;
          for (let k = 0; k < n; k++) {
            const hk = w[hi + k];
            w[hi + k] = s * w[lo + k] + c * hk;
            w[lo + k] = c * w[lo + k] - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      }
    }
    d[l] += shift;
    e[l] = 0;
  }
}

/**
 * Eigen-decomposition of a symmetric matrix `a` (n×n, row-major, float64; symmetrised as
 * (a + aᵀ)/2): eigenvalues ascending, eigenvectors as the columns of `vectors` (row-major n×n).
 * Householder tridiagonalisation then implicit QL — O(n³), as LAPACK's dsyev — so the
 * Hessians of exact influence functions (thousands of parameters) decompose in seconds.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  check(a.length === n * n, 'shape', () => `symmetricEigen: expected ${n}×${n} values; found ${a.length}`);
  const v = Float64Array.from(a);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) v[i * n + j] = v[j * n + i] = (v[i * n + j] + v[j * n + i]) / 2;
  if (n === 0) return { values: new Float64Array(0), vectors: new Float64Array(0) };
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalise(v, n, d, e);
  const w = v; // Qᵀ, row-major
  tridiagonalQl(w, n, d, e);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  const values = Float64Array.from(order, (i) => d[i]);
  const vectors = new Float64Array(n * n);
  for (let r = 0; r < n; r++) order.forEach((col, k) => (vectors[r * n + k] = w[col * n + r]));
  return { values, vectors };
}
