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

/** Largest n·n·layers (float64 entries) the matrix keeps as centred Gram matrices at once: 128 MB. */
const GRAM_BUDGET = 1 << 24;

/** ⟨a, b⟩ of two equal-length vectors. */
function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Linear CKA of every pair of layers: a symmetric matrix with ones on the diagonal (for non-constant
 * layers). Each layer is centred once and, when the layers' n × n Gram matrices fit in 128 MB, its
 * Gram matrix formed once, so a pair costs one n² inner product (⟨K, L⟩ / (‖K‖ ‖L‖), eq. 4) instead
 * of re-centring and re-multiplying both layers per pair.
 */
export function linearCkaMatrix(layers: readonly ActivationMatrix[]): number[][] {
  for (let i = 0; i < layers.length; i++) for (let j = i; j < layers.length; j++) checkPairedActivations('linearCka', layers[i], layers[j]);
  const n = layers[0]?.rows ?? 0;
  if (n * n * layers.length > GRAM_BUDGET) return pairwiseMatrix(layers, linearCka);
  const grams = layers.map((m) => gram(centreColumns(m)));
  const norms = grams.map((k) => Math.sqrt(dot(k, k)));
  const out = layers.map(() => layers.map(() => 0));
  for (let i = 0; i < layers.length; i++) for (let j = i; j < layers.length; j++) {
    out[i][j] = out[j][i] = norms[i] === 0 || norms[j] === 0 ? 0 : dot(grams[i], grams[j]) / (norms[i] * norms[j]);
  }
  return out;
}
