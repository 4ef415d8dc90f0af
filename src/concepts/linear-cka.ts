import { centreColumns, checkPairedActivations, crossProduct, pairwiseMatrix, type ActivationMatrix } from './activation-matrix.js';

function frobeniusSquared(m: Float64Array): number {
  let s = 0;
  for (const v of m) s += v * v;
  return s;
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
