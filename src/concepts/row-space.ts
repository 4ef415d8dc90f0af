import { symmetricEigen } from '../core/symmetric-eigen.js';
import type { ActivationMatrix } from './activation-matrix.js';

/**
 * The row space of X [n × d] with d > n: X = Z Vᵀ with V [d × r] orthonormal columns and Z = X V
 * [n × r], r = rank (from the eigen-decomposition of the Gram matrix X Xᵀ = U Λ Uᵀ: Z = U Λ^½,
 * V = Xᵀ U Λ^-½; eigenvalues below 1e-12 of the largest dropped). For a loss of X w + b plus ½‖w‖²,
 * the optimum lies in this row space (the representer theorem), so fitting β on Z and taking
 * w = V β solves the same problem exactly, in r ≤ n dimensions instead of d.
 */
export function rowSpace(x: ActivationMatrix): { z: ActivationMatrix; v: Float64Array; rank: number } {
  const { rows: n, cols: d, data } = x;
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += data[i * d + k] * data[j * d + k];
    gram[i * n + j] = gram[j * n + i] = s;
  }
  const { values, vectors } = symmetricEigen(gram, n);
  const max = Math.max(...values, 0);
  const keep = Array.from(values.keys()).filter((i) => values[i] > 1e-12 * max);
  const r = keep.length;
  const z = new Float64Array(n * r);
  const v = new Float64Array(d * r);
  keep.forEach((e, c) => {
    const root = Math.sqrt(values[e]);
    for (let i = 0; i < n; i++) {
      const u = vectors[i * n + e];
      z[i * r + c] = u * root;
      if (u === 0) continue;
      for (let k = 0; k < d; k++) v[k * r + c] += (data[i * d + k] * u) / root;
    }
  });
  return { z: { rows: n, cols: r, data: z }, v, rank: r };
}

/** w = V β: a weight vector of the row space (`v` [d × r]) back in the d original units. */
export function fromRowSpace(v: Float64Array, beta: readonly number[], d: number): number[] {
  const r = beta.length;
  return Array.from({ length: d }, (_, k) => {
    let s = 0;
    for (let c = 0; c < r; c++) s += v[k * r + c] * beta[c];
    return s;
  });
}
