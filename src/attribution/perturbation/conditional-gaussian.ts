import { LumenError } from '../../core/errors.js';
import { cholesky, choleskySolve } from '../../core/cholesky.js';
import type { Rng } from '../../core/random.js';

/**
 * A multivariate Gaussian over d variables split into an inner block I (to sample) and an outer
 * block O (observed), in the form that samples x_I | x_O:
 * x_I = μ_I + A (x_O − μ_O) + L z, A = Σ_IO Σ_OO⁻¹, L Lᵀ = Σ_II − A Σ_OI, z ~ N(0, I).
 */
export interface ConditionalGaussian {
  readonly inner: Int32Array;
  readonly outer: Int32Array;
  /** Writes one sample of x_I given x_O (values of the outer block, in `outer` order) into `out`. */
  sample(xOuter: ArrayLike<number>, rng: Rng, out: Float64Array, mean?: Float64Array): void;
  /** The conditional mean μ_I + A (x_O − μ_O) into `out`. */
  conditionalMean(xOuter: ArrayLike<number>, out: Float64Array): void;
}

/** Mean and covariance (ddof 1) of rows of `d` values, `rows` given as one flat array. */
export function meanAndCovariance(rows: Float64Array, d: number): { mean: Float64Array; cov: Float64Array } {
  const m = rows.length / d;
  if (m < 2) throw new LumenError('input', `meanAndCovariance: needs at least 2 samples of ${d} values; found ${m}`);
  const mean = new Float64Array(d);
  for (let r = 0; r < m; r++) for (let j = 0; j < d; j++) mean[j] += rows[r * d + j];
  for (let j = 0; j < d; j++) mean[j] /= m;
  const cov = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < d; j++) c[j] = rows[r * d + j] - mean[j];
    for (let i = 0; i < d; i++) {
      const ci = c[i];
      if (ci === 0) continue;
      for (let j = i; j < d; j++) cov[i * d + j] += ci * c[j];
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      cov[i * d + j] /= m - 1;
      cov[j * d + i] = cov[i * d + j];
    }
  }
  return { mean, cov };
}

/**
 * The conditional form of N(mean, cov + ridge·I) for the inner indices `inner` given the others
 * (ridge: a small multiple of the mean variance keeps Σ_OO invertible on flat image regions).
 */
export function conditionalGaussian(mean: Float64Array, cov: Float64Array, d: number, inner: Int32Array, ridge = 1e-4): ConditionalGaussian {
  const isInner = new Uint8Array(d);
  for (const i of inner) isInner[i] = 1;
  const outer = Int32Array.from({ length: d }, (_, i) => i).filter((i) => !isInner[i]);
  const ni = inner.length;
  const no = outer.length;
  let trace = 0;
  for (let i = 0; i < d; i++) trace += cov[i * d + i];
  const eps = ridge * Math.max(trace / d, 1e-12);
  const at = (i: number, j: number): number => cov[i * d + j] + (i === j ? eps : 0);
  // A = Σ_IO Σ_OO⁻¹: solve Σ_OO Aᵀ = Σ_OI with the Cholesky factor of Σ_OO.
  const soo = new Float64Array(no * no);
  for (let i = 0; i < no; i++) for (let j = 0; j < no; j++) soo[i * no + j] = at(outer[i], outer[j]);
  const a = new Float64Array(ni * no);
  if (no > 0) {
    const lo = cholesky(soo, no);
    const col = new Float64Array(no);
    for (let r = 0; r < ni; r++) {
      for (let j = 0; j < no; j++) col[j] = at(outer[j], inner[r]);
      a.set(choleskySolve(lo, col, no), r * no);
    }
  }
  const sc = new Float64Array(ni * ni);
  for (let r = 0; r < ni; r++) {
    for (let c = 0; c < ni; c++) {
      let s = at(inner[r], inner[c]);
      for (let k = 0; k < no; k++) s -= a[r * no + k] * at(outer[k], inner[c]);
      sc[r * ni + c] = s;
    }
  }
  for (let r = 0; r < ni; r++) for (let c = 0; c < r; c++) sc[r * ni + c] = sc[c * ni + r] = (sc[r * ni + c] + sc[c * ni + r]) / 2;
  const l = cholesky(sc, ni);
  const conditionalMean = (xo: ArrayLike<number>, out: Float64Array): void => {
    for (let r = 0; r < ni; r++) {
      let s = mean[inner[r]];
      for (let k = 0; k < no; k++) s += a[r * no + k] * (xo[k] - mean[outer[k]]);
      out[r] = s;
    }
  };
  const z = new Float64Array(ni);
  return {
    inner,
    outer,
    conditionalMean,
    sample(xo, rng, out, mu) {
      if (mu) out.set(mu);
      else conditionalMean(xo, out);
      for (let k = 0; k < ni; k++) z[k] = rng.normal();
      for (let r = 0; r < ni; r++) {
        let s = 0;
        for (let k = 0; k <= r; k++) s += l[r * ni + k] * z[k];
        out[r] += s;
      }
    },
  };
}
