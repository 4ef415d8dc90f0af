import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { Model, ModelParameter } from '../core/model.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import { symmetricEigen } from '../core/symmetric-eigen.js';
import type { ExampleLoss } from './example-loss.js';
import { hessianVectorProduct } from './hessian-vector-product.js';
import type { LabelledRows, StreamOptions } from './labelled-batch.js';
import { lowRankInfluence, lowRankSelfInfluence } from './low-rank-influence.js';
import { parameterCount, selectParameters, type ParameterSelection } from './per-example-gradients.js';
import type { InfluenceScores } from './tracin-cp.js';

/** Options of `arnoldiInfluence` and `arnoldiSelfInfluence` (Captum's ArnoldiInfluenceFunction names and defaults). */
export interface ArnoldiOptions extends ParameterSelection, StreamOptions {
  readonly loss?: ExampleLoss;
  /** Rows whose summed loss defines H (default: the training dataset). */
  readonly hessianData?: Dataset;
  /** The rank of the low-rank inverse: the top eigenpairs kept (default 50). */
  readonly projectionDim?: number;
  /** Arnoldi iterations, the Krylov subspace's dimension (default 200; Hessian-vector products over `hessianData`). */
  readonly arnoldiDim?: number;
  /** The iteration stops when the new basis vector's norm falls below this (default 0.1). */
  readonly arnoldiTol?: number;
  /** Added to the diagonal of the Hessian's restriction to the Krylov subspace (default 1e-3). */
  readonly hessianReg?: number;
  /** Eigenvalues (after `hessianReg`) at or below this are dropped (default 1e-4). */
  readonly hessianInverseTol?: number;
  /** Seed of the random start vector. */
  readonly seed?: number;
}

/** The top eigenpairs of H found by `arnoldiEigen`: values ascending, vectors `[P, k]` row-major (float64). */
export interface ArnoldiEigen {
  readonly values: Float64Array;
  readonly vectors: Float64Array;
  readonly parameters: number;
  /** The dimension of the Krylov subspace whose restriction was eigen-decomposed. */
  readonly krylovDim: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * The top eigenvalues and eigenvectors of H, the Hessian of the SUM of per-row losses over
 * `data`, by the Arnoldi iteration (Schioppa et al. 2022, "Scaling up influence functions"), as
 * Captum's `_parameter_arnoldi` and `_parameter_distill`: from a seeded normal start vector, each
 * step takes one Hessian-vector product (double backprop, streamed over the dataset) and
 * orthogonalises it against the basis (modified Gram–Schmidt, float64); the iteration stops after
 * `arnoldiDim` steps or when the new vector's norm is below `arnoldiTol`. As Captum, the last basis
 * vector is dropped, `hessianReg`·I is added to the restriction, eigenvalues ≤ `hessianInverseTol`
 * are dropped and the largest `projectionDim` kept. The restriction of a symmetric H is symmetric
 * in exact arithmetic; it is symmetrised and decomposed by Jacobi (Captum calls `torch.linalg.eig`
 * and keeps the real part).
 */
export async function arnoldiEigen(model: Model, params: readonly ModelParameter[], data: Dataset, options: ArnoldiOptions, what = 'arnoldiInfluence'): Promise<ArnoldiEigen> {
  const p = parameterCount(params);
  const n = options.arnoldiDim ?? 200;
  const tol = options.arnoldiTol ?? 1e-1;
  const k = options.projectionDim ?? 50;
  const reg = options.hessianReg ?? 1e-3;
  const invTol = options.hessianInverseTol ?? 1e-4;
  check(Number.isInteger(n) && n >= 2, 'option', () => `${what}: arnoldiDim must be an integer ≥ 2; found ${n}`);
  check(Number.isInteger(k) && k >= 1, 'option', () => `${what}: projectionDim must be a positive integer; found ${k}`);
  check(tol >= 0 && Number.isFinite(tol), 'option', () => `${what}: arnoldiTol must be a non-negative number; found ${tol}`);
  check(Number.isFinite(reg) && Number.isFinite(invTol), 'option', () => `${what}: hessianReg and hessianInverseTol must be finite numbers; found ${reg}, ${invTol}`);
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  const b = Float64Array.from(rng.normals(p));
  const bn = Math.sqrt(dot(b, b));
  const qs: Float64Array[] = [b.map((v) => v / bn)];
  const h = new Float64Array((n + 1) * n);
  const loss = options.loss ?? 'cross-entropy';
  let last = n;
  for (let step = 1; step <= n; step++) {
    const q = tf.tensor1d(Float32Array.from(qs[step - 1]));
    const hv = await hessianVectorProduct(model, params, data, loss, q, options, what);
    const v = Float64Array.from(await hv.data());
    tf.dispose([q, hv]);
    for (let i = 0; i < step; i++) {
      const c = dot(qs[i], v);
      h[i * n + step - 1] = c;
      const qi = qs[i];
      for (let r = 0; r < p; r++) v[r] -= c * qi[r];
    }
    const norm = Math.sqrt(dot(v, v));
    h[step * n + step - 1] = norm;
    options.onProgress?.({ done: step, total: n });
    last = step;
    if (norm < tol) break;
    qs.push(v.map((x) => x / norm));
  }
  // Captum keeps qs[:k], H[:k, :k-1], then drops the last basis vector and the last row: k - 1 dimensions.
  const m = last - 1;
  check(m >= 1, 'numeric', () => `${what}: the Arnoldi basis is empty (the first Hessian-vector product's norm is below arnoldiTol ${tol}); lower arnoldiTol`);
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) t[i * m + j] = h[i * n + j] + (i === j ? reg : 0);
  const { values, vectors } = symmetricEigen(t, m);
  let kept = Array.from(values.keys()).filter((i) => values[i] > invTol);
  kept = kept.slice(Math.max(0, kept.length - k));
  check(kept.length > 0, 'numeric', () => `${what}: the Hessian's restriction to the Krylov subspace has no eigenvalue above hessianInverseTol ${invTol} (largest ${values[m - 1]})`);
  const out = new Float64Array(p * kept.length);
  kept.forEach((col, c) => {
    for (let j = 0; j < m; j++) {
      const y = vectors[j * m + col];
      if (y === 0) continue;
      const qj = qs[j];
      for (let r = 0; r < p; r++) out[r * kept.length + c] += y * qj[r];
    }
  });
  return { values: Float64Array.from(kept.map((i) => values[i])), vectors: out, parameters: p, krylovDim: m };
}

/** R = V diag(λ^-1/2) `[P, k]` (float32) from the Arnoldi eigenpairs (Schioppa et al. 2022): H⁻¹ ≈ R Rᵀ. */
export function arnoldiInverseRoot(e: ArnoldiEigen): tf.Tensor2D {
  const k = e.values.length;
  const r = new Float32Array(e.parameters * k);
  for (let row = 0; row < e.parameters; row++) for (let c = 0; c < k; c++) r[row * k + c] = e.vectors[row * k + c] / Math.sqrt(e.values[c]);
  return tf.tensor2d(r, [e.parameters, k]);
}

/**
 * Influence of each training row on each test row by Arnoldi influence functions (Schioppa et al.
 * 2022; Captum's ArnoldiInfluenceFunction): `score[t, j] = (g_tᵀ R)(g_jᵀ R)ᵀ` with R R′ the rank-k
 * inverse of H from its top eigenpairs (`arnoldiEigen`). Sign and scale as `influenceFunction`
 * (Captum's): + g_testᵀ H⁻¹ g_train, H the Hessian of the summed training loss, predicting
 * L_test(θ without row j) − L_test(θ).
 */
export async function arnoldiInfluence(model: Model, train: Dataset, test: LabelledRows, options: ArnoldiOptions = {}): Promise<InfluenceScores> {
  const params = selectParameters(model, options, 'arnoldiInfluence');
  const root = arnoldiInverseRoot(await arnoldiEigen(model, params, options.hessianData ?? train, options));
  try {
    return await lowRankInfluence(model, train, test, root, options, 'arnoldiInfluence');
  } finally {
    root.dispose();
  }
}

/** Self-influence ‖g_jᵀ R‖² of every training row under the Arnoldi inverse (same conventions as `arnoldiInfluence`). */
export async function arnoldiSelfInfluence(model: Model, train: Dataset, options: ArnoldiOptions = {}): Promise<Float32Array> {
  const params = selectParameters(model, options, 'arnoldiSelfInfluence');
  const root = arnoldiInverseRoot(await arnoldiEigen(model, params, options.hessianData ?? train, options, 'arnoldiSelfInfluence'));
  try {
    return await lowRankSelfInfluence(model, train, root, options, 'arnoldiSelfInfluence');
  } finally {
    root.dispose();
  }
}
