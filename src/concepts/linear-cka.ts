import { centreColumns, checkPairedActivations, crossProduct, pairwiseMatrix, type ActivationMatrix } from './activation-matrix.js';

function frobeniusSquared(m: Float64Array): number {
  let s = 0;
  for (const v of m) s += v * v;
  return s;
}

/** X Xᵀ of a row-major [n × d] matrix: n × n. */
function gram(m: ActivationMatrix): Float64Array {
  const { rows: n, cols: d, data } = m;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += data[i * d + t] * data[j * d + t];
    out[i * n + j] = out[j * n + i] = s;
  }
  return out;
}

/**
 * Linear centred kernel alignment between two layers' activations of the same examples
 * (Kornblith et al. 2019, "Similarity of Neural Network Representations Revisited", eq. 4):
 * CKA = ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) with X and Y centred per unit — HSIC(K, L) normalised, K = XXᵀ, L = YYᵀ.
 * Invariant to orthogonal transforms and isotropic scaling; 1 for identical representations.
 */
export function linearCka(x: ActivationMatrix, y: ActivationMatrix): number {
  checkPairedActivations('linearCka', x, y);
  const xc = centreColumns(x);
  const yc = centreColumns(y);
  if (Math.max(x.cols, y.cols) > x.rows) {
    // Wide layers: the same numbers from the n × n Gram matrices, ‖YᵀX‖²_F = ⟨XXᵀ, YYᵀ⟩_F.
    const k = gram(xc);
    const l = gram(yc);
    let kl = 0;
    for (let i = 0; i < k.length; i++) kl += k[i] * l[i];
    const kk = Math.sqrt(frobeniusSquared(k));
    const ll = Math.sqrt(frobeniusSquared(l));
    return kk === 0 || ll === 0 ? 0 : kl / (kk * ll);
  }
  const xy = frobeniusSquared(crossProduct(yc, xc));
  const xx = Math.sqrt(frobeniusSquared(crossProduct(xc, xc)));
  const yy = Math.sqrt(frobeniusSquared(crossProduct(yc, yc)));
  if (xx === 0 || yy === 0) return 0;
  return xy / (xx * yy);
}

/** Linear CKA of every pair of layers: a symmetric matrix with ones on the diagonal (for non-constant layers). */
export function linearCkaMatrix(layers: readonly ActivationMatrix[]): number[][] {
  return pairwiseMatrix(layers, linearCka);
}
