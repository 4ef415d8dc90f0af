import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { Model, ModelParameter } from '../core/model.js';
import { Rng } from '../core/random.js';
import { symmetricEigen } from '../core/symmetric-eigen.js';
import type { ExampleLoss } from './example-loss.js';
import { denseLayersHessian } from './dense-layers-hessian.js';
import { linearLayerHessian } from './linear-layer-hessian.js';
import { hessianVectorProduct, batchHessianVectorProduct } from './hessian-vector-product.js';
import { forEachLabelledBatch, type LabelledRows, type StreamOptions } from './labelled-batch.js';
import { parameterCount, perExampleGradients, selectParameters, type ParameterSelection } from './per-example-gradients.js';
import type { InfluenceScores } from './tracin-cp.js';

/** Options of `influenceFunction` and `influenceSelfInfluence`. */
export interface InfluenceOptions extends ParameterSelection, StreamOptions {
  /**
   * How H⁻¹ is applied: 'exact' (the Hessian formed by P Hessian-vector products and
   * eigen-decomposed, as Captum's NaiveInfluenceFunction; for up to `maxExactParameters`), 'cg'
   * (conjugate gradients per test row), 'lissa' (Agarwal et al.'s stochastic series, as Koh &
   * Liang's code). Default 'exact'.
   */
  readonly solver?: 'exact' | 'cg' | 'lissa';
  readonly loss?: ExampleLoss;
  /** Rows whose summed loss defines H (default: the training dataset). */
  readonly hessianData?: Dataset;
  /** Added to H's diagonal (default 1e-6, rounded to float32 as Captum's `torch.eye` does). */
  readonly hessianReg?: number;
  /** 'exact': eigenvalues of H + reg·I at or below this are dropped (default 1e-5). */
  readonly hessianInverseTol?: number;
  /** 'exact': keep at most this many of the largest kept eigenvalues (default: all; Captum's default is 50). */
  readonly projectionDim?: number;
  /** 'exact': refuse more parameters than this (default 4096). */
  readonly maxExactParameters?: number;
  /** 'cg': iterations (default 100) and relative residual tolerance (default 1e-6). */
  readonly cgIterations?: number;
  readonly cgTolerance?: number;
  /** 'lissa': Koh & Liang's damping (default 0), scale (default 10), recursion depth (default 1000), repeats (default 1), batch size of each Hessian sample (default 8), seed. */
  readonly damping?: number;
  readonly scale?: number;
  readonly depth?: number;
  readonly repeats?: number;
  readonly lissaBatchSize?: number;
  readonly seed?: number;
}

/** Per-example gradients of labelled rows, flattened `[N, P]`. */
function grads(model: Model, rows: LabelledRows, options: InfluenceOptions): tf.Tensor2D {
  return perExampleGradients(model, rows.x, rows.y, options);
}

/** Rows of a dataset small enough to hold in memory (≤ 2²⁴ input values) are read once for all P products. */
const IN_MEMORY_VALUES = 1 << 24;
/** Rows per Hessian-vector product batch when the rows are in memory. */
const PRODUCT_ROWS = 1024;

/**
 * The exact Hessian `[P, P]` (float64) of the summed loss over `data`, column by column: P
 * Hessian-vector products (Pearlmutter 1994). A dataset that fits in memory is read once and each
 * product runs over it in batches of up to 1,024 rows; a larger one is streamed for every product.
 */
export async function hessianByProducts(model: Model, params: readonly ModelParameter[], data: Dataset, options: InfluenceOptions): Promise<Float64Array> {
  const p = parameterCount(params);
  const h = new Float64Array(p * p);
  const loss = options.loss ?? 'cross-entropy';
  const values = data.size * data.inputShape.reduce((a, b) => a * b, 1);
  const rows = values <= IN_MEMORY_VALUES ? await collect(data, options) : null;
  const chunks = rows
    ? Array.from({ length: Math.ceil(data.size / PRODUCT_ROWS) }, (_, i) => {
      const start = i * PRODUCT_ROWS;
      const size = Math.min(PRODUCT_ROWS, data.size - start);
      return { x: rows.x.slice(start, size), y: rows.y.slice(start, size) };
    })
    : null;
  try {
    for (let k = 0; k < p; k++) {
      if (options.signal?.aborted) check(false, 'aborted', () => `influenceFunction: aborted at Hessian column ${k} of ${p}`);
      const e = tf.tidy(() => tf.oneHot(tf.tensor1d([k], 'int32'), p).reshape([p]).toFloat()) as tf.Tensor1D;
      const col = chunks
        ? tf.tidy(() => tf.addN(chunks.map((c) => batchHessianVectorProduct(model, params, c.x, c.y, loss, e))) as tf.Tensor1D)
        : await hessianVectorProduct(model, params, data, loss, e, options, 'influenceFunction');
      const column = await col.data();
      tf.dispose([e, col]);
      for (let r = 0; r < p; r++) h[r * p + k] = column[r];
      options.onProgress?.({ done: k + 1, total: p });
    }
  } finally {
    if (chunks) tf.dispose(chunks.flatMap((c) => [c.x, c.y]));
    if (rows) tf.dispose([rows.x, rows.y]);
  }
  return h;
}

/**
 * The exact Hessian `[P, P]` (float64) of the summed loss over `data` with respect to `params`:
 * by the Kronecker form when they are one dense layer's (linear-layer-hessian.ts, `out` passes per
 * batch), by the layer-wise form with cross terms when they are several dense layers'
 * (dense-layers-hessian.ts, Σ out + Σ in passes per batch), else by P Hessian-vector products.
 */
export async function summedLossHessian(model: Model, params: readonly ModelParameter[], data: Dataset, options: InfluenceOptions): Promise<Float64Array> {
  const fast = await linearLayerHessian(model, params, data, options.loss ?? 'cross-entropy', options, 'influenceFunction')
    ?? await denseLayersHessian(model, params, data, options.loss ?? 'cross-entropy', options, 'influenceFunction');
  if (fast) {
    const p = parameterCount(params);
    options.onProgress?.({ done: p, total: p });
    return fast;
  }
  return hessianByProducts(model, params, data, options);
}

/** R = V diag(λ^-1/2) over the kept eigenpairs of H + reg·I (Captum's NaiveInfluenceFunction, Koh & Liang 2017), `[P, k]`: H⁻¹ ≈ R Rᵀ. */
export async function exactInverseRoot(model: Model, params: readonly ModelParameter[], data: Dataset, options: InfluenceOptions): Promise<tf.Tensor2D> {
  const p = parameterCount(params);
  const limit = options.maxExactParameters ?? 4096;
  check(p <= limit, 'option', () => `influenceFunction: the exact Hessian of ${p} parameters is too large (limit ${limit}); select layers, or use solver 'cg' or 'lissa'`);
  const h = await summedLossHessian(model, params, data, options);
  const reg = Math.fround(options.hessianReg ?? 1e-6);
  for (let i = 0; i < p; i++) h[i * p + i] += reg;
  const { values, vectors } = symmetricEigen(h, p);
  const tol = options.hessianInverseTol ?? 1e-5;
  let kept = Array.from(values.keys()).filter((i) => values[i] > tol);
  const dim = options.projectionDim;
  check(dim === undefined || (Number.isInteger(dim) && dim >= 1), 'option', () => `influenceFunction: projectionDim must be a positive integer; found ${dim}`);
  if (dim !== undefined) kept = kept.slice(Math.max(0, kept.length - dim));
  check(kept.length > 0, 'numeric', () => `influenceFunction: no eigenvalue of the Hessian exceeds hessianInverseTol ${tol} (largest ${values[p - 1]})`);
  const r = new Float32Array(p * kept.length);
  for (let row = 0; row < p; row++) kept.forEach((col, k) => (r[row * kept.length + k] = vectors[row * p + col] / Math.sqrt(values[col])));
  return tf.tensor2d(r, [p, kept.length]);
}

/** (H + λI)⁻¹ g for one vector by conjugate gradients. */
async function conjugateGradient(hv: (v: tf.Tensor1D) => Promise<tf.Tensor1D>, g: tf.Tensor1D, options: InfluenceOptions): Promise<tf.Tensor1D> {
  const iterations = options.cgIterations ?? 100;
  const tol = options.cgTolerance ?? 1e-6;
  let x = tf.zerosLike(g);
  let r = g.clone();
  let p = g.clone();
  const scalar = async (f: () => tf.Tensor): Promise<number> => {
    const t = tf.tidy(f);
    const v = (await t.data())[0];
    t.dispose();
    return v;
  };
  let rs = await scalar(() => tf.sum(tf.square(r)));
  const stop = rs * tol * tol;
  for (let i = 0; i < iterations && rs > stop; i++) {
    const ap = await hv(p);
    const alpha = rs / (await scalar(() => tf.sum(tf.mul(p, ap))));
    const [nx, nr] = tf.tidy(() => [tf.add(x, tf.mul(p, alpha)), tf.sub(r, tf.mul(ap, alpha))] as tf.Tensor1D[]);
    tf.dispose([x, r, ap]);
    x = nx;
    r = nr;
    const next = await scalar(() => tf.sum(tf.square(r)));
    const np = tf.tidy(() => tf.add(r, tf.mul(p, next / rs))) as tf.Tensor1D;
    p.dispose();
    p = np;
    rs = next;
  }
  tf.dispose([r, p]);
  return x;
}

/** H⁻¹ g by LiSSA (Koh & Liang's get_inverse_hvp_lissa, on the SUM Hessian estimated from random batches). */
async function lissa(model: Model, params: readonly ModelParameter[], data: LabelledRows, g: tf.Tensor1D, options: InfluenceOptions, rng: Rng): Promise<tf.Tensor1D> {
  const scale = options.scale ?? 10;
  const damping = options.damping ?? 0;
  const depth = options.depth ?? 1000;
  const repeats = options.repeats ?? 1;
  const b = Math.min(options.lissaBatchSize ?? 8, data.x.shape[0]);
  const n = data.x.shape[0];
  const reg = options.hessianReg ?? 0;
  check(scale > 0 && damping >= 0 && damping < 1 && Number.isInteger(depth) && depth >= 1 && Number.isInteger(repeats) && repeats >= 1, 'option', () =>
    `influenceFunction (lissa): need scale > 0, 0 ≤ damping < 1, integer depth ≥ 1 and repeats ≥ 1; found ${scale}, ${damping}, ${depth}, ${repeats}`);
  let sum = tf.zerosLike(g);
  for (let rep = 0; rep < repeats; rep++) {
    let h = g.clone();
    for (let step = 0; step < depth; step++) {
      if (options.signal?.aborted) check(false, 'aborted', () => `influenceFunction (lissa): aborted at step ${step}`);
      const idx = tf.tensor1d(Int32Array.from(rng.permutation(n).subarray(0, b)), 'int32');
      const next = tf.tidy(() => {
        const hv = batchHessianVectorProduct(model, params, tf.gather(data.x, idx), tf.gather(data.y, idx), options.loss ?? 'cross-entropy', h);
        const full = tf.add(tf.mul(hv, n / b), tf.mul(h, reg));
        return tf.sub(tf.add(g, tf.mul(h, 1 - damping)), tf.div(full, scale)) as tf.Tensor1D;
      });
      tf.dispose([idx, h]);
      h = next;
    }
    const s = tf.tidy(() => tf.add(sum, tf.div(h, scale))) as tf.Tensor1D;
    tf.dispose([sum, h]);
    sum = s;
  }
  const out = tf.div(sum, repeats) as tf.Tensor1D;
  sum.dispose();
  return out;
}

/** The rows of a dataset in memory (LiSSA samples batches from them). */
async function collect(data: Dataset, options: InfluenceOptions): Promise<LabelledRows> {
  const xs: tf.Tensor[] = [];
  const ys: tf.Tensor[] = [];
  await forEachLabelledBatch(data, { ...options, onProgress: undefined }, 'influenceFunction', ({ x, y }) => {
    xs.push(x.clone());
    ys.push(y.clone());
  });
  const out = { x: tf.concat(xs), y: tf.concat(ys) };
  tf.dispose([...xs, ...ys]);
  return out;
}

/** H⁻¹ gᵢ for each row of g `[T, P]` by an iterative solver ('cg' or 'lissa', Koh & Liang 2017), `[T, P]`. */
export async function iterativeSolve(model: Model, params: readonly ModelParameter[], data: Dataset, g: tf.Tensor2D, options: InfluenceOptions): Promise<tf.Tensor2D> {
  const rows = tf.unstack(g) as tf.Tensor1D[];
  const out: tf.Tensor1D[] = [];
  const reg = options.hessianReg ?? 1e-6;
  const sampled = options.solver === 'lissa' ? await collect(options.hessianData ?? data, options) : null;
  const rng = new Rng(options.seed ?? 42);
  try {
    for (const row of rows) {
      if (sampled) out.push(await lissa(model, params, sampled, row, options, rng));
      else {
        const hv = async (v: tf.Tensor1D): Promise<tf.Tensor1D> => {
          const h = await hessianVectorProduct(model, params, options.hessianData ?? data, options.loss ?? 'cross-entropy', v, options, 'influenceFunction');
          const withReg = tf.tidy(() => tf.add(h, tf.mul(v, reg))) as tf.Tensor1D;
          h.dispose();
          return withReg;
        };
        out.push(await conjugateGradient(hv, row, options));
      }
    }
    return tf.stack(out) as tf.Tensor2D;
  } finally {
    tf.dispose([...rows, ...out]);
    if (sampled) tf.dispose([sampled.x, sampled.y]);
  }
}

/**
 * Influence functions (Koh & Liang 2017, "Understanding black-box predictions via influence
 * functions"), in Captum's convention: `score[t, j] = ∇L(z_t)ᵀ H⁻¹ ∇L(z_j)` with H the Hessian of
 * the SUM of per-row training losses (plus `hessianReg`·I), no minus sign and no 1/n. It predicts
 * L_test(θ without row j) − L_test(θ) for removing row j; Koh & Liang's I_up,loss is −n times it.
 */
export async function influenceFunction(model: Model, train: Dataset, test: LabelledRows, options: InfluenceOptions = {}): Promise<InfluenceScores> {
  const params = selectParameters(model, options, 'influenceFunction');
  const solver = options.solver ?? 'exact';
  check(['exact', 'cg', 'lissa'].includes(solver), 'option', () => `influenceFunction: solver must be 'exact', 'cg' or 'lissa'; found '${solver}'`);
  const t = test.x.shape[0];
  const n = train.size;
  const scores = new Float32Array(t * n);
  const gTest = grads(model, test, options);
  let left: tf.Tensor2D;
  let root: tf.Tensor2D | null = null;
  try {
    if (solver === 'exact') {
      root = await exactInverseRoot(model, params, options.hessianData ?? train, options);
      left = tf.matMul(gTest, root);
    } else left = await iterativeSolve(model, params, train, gTest, options);
  } finally {
    gTest.dispose();
  }
  try {
    await forEachLabelledBatch(train, options, 'influenceFunction', async ({ x, y, index }) => {
      const block = tf.tidy(() => {
        const g = perExampleGradients(model, x, y, options);
        return tf.matMul(left, root ? tf.matMul(g, root) : g, false, true);
      });
      const values = await block.data();
      block.dispose();
      const b = index.length;
      for (let i = 0; i < t; i++) for (let k = 0; k < b; k++) scores[i * n + index[k]] = values[i * b + k];
    });
  } finally {
    tf.dispose([left, ...(root ? [root] : [])]);
  }
  return { scores, shape: [t, n] };
}

/** Self-influence `∇L(z_j)ᵀ H⁻¹ ∇L(z_j)` of every training row (same conventions as `influenceFunction`). */
export async function influenceSelfInfluence(model: Model, train: Dataset, options: InfluenceOptions = {}): Promise<Float32Array> {
  const params = selectParameters(model, options, 'influenceSelfInfluence');
  const out = new Float32Array(train.size);
  const solver = options.solver ?? 'exact';
  const root = solver === 'exact' ? await exactInverseRoot(model, params, options.hessianData ?? train, options) : null;
  try {
    await forEachLabelledBatch(train, options, 'influenceSelfInfluence', async ({ x, y, index }) => {
      let v: tf.Tensor;
      if (root) v = tf.tidy(() => tf.sum(tf.square(tf.matMul(perExampleGradients(model, x, y, options), root)), 1));
      else {
        const g = perExampleGradients(model, x, y, options);
        const s = await iterativeSolve(model, params, train, g, options);
        v = tf.tidy(() => tf.sum(tf.mul(g, s), 1));
        tf.dispose([g, s]);
      }
      const values = await v.data();
      v.dispose();
      index.forEach((j, k) => (out[j] = values[k]));
    });
  } finally {
    root?.dispose();
  }
  return out;
}
