import { check } from '../core/errors.js';
import { symmetricEigen } from '../core/symmetric-eigen.js';
import { centreColumns, checkPairedActivations, crossProduct, type ActivationMatrix } from './activation-matrix.js';
import { canonicalCorrelations, type CcaOptions, type CcaResult } from './cca.js';

/** A layer reduced to its top singular directions, with every singular value of the centred activations. */
export interface SvdReduction {
  readonly reduced: ActivationMatrix;
  /** Singular values of the centred activations, largest first. */
  readonly singularValues: number[];
  /** Σ of the kept singular values over Σ of all (the svcca tutorial's "fraction of variance", which sums s, not s²). */
  readonly fractionKept: number;
}

/**
 * Projects centred activations on their top `keepDims` right singular directions: the examples'
 * scores sᵢvᵢ of the SVD of the centred [units × examples] matrix (svcca's first step).
 */
export function svdReduce(m: ActivationMatrix, keepDims: number): SvdReduction {
  check(Number.isInteger(keepDims) && keepDims >= 1 && keepDims <= Math.min(m.cols, m.rows), 'option', () => `svcca: keepDims must be an integer in [1, ${Math.min(m.cols, m.rows)}] (units and examples of the layer); found ${keepDims}`);
  const c = centreColumns(m);
  const d = m.cols;
  const { values, vectors } = symmetricEigen(crossProduct(c, c), d);
  const order = [...Array(d).keys()].sort((i, j) => values[j] - values[i]);
  const singularValues = order.map((i) => Math.sqrt(Math.max(values[i], 0)));
  const data = new Float64Array(m.rows * keepDims);
  for (let r = 0; r < m.rows; r++) for (let k = 0; k < keepDims; k++) {
    const col = order[k];
    let s = 0;
    for (let u = 0; u < d; u++) s += c.data[r * d + u] * vectors[u * d + col];
    data[r * keepDims + k] = s;
  }
  const total = singularValues.reduce((a, b) => a + b, 0);
  const kept = singularValues.slice(0, keepDims).reduce((a, b) => a + b, 0);
  return { reduced: { rows: m.rows, cols: keepDims, data }, singularValues, fractionKept: total > 0 ? kept / total : 0 };
}

/** SVCCA's result: the CCA of the two reductions, with each layer's singular values. */
export interface SvccaResult extends CcaResult {
  readonly singularValuesA: number[];
  readonly singularValuesB: number[];
  readonly fractionKeptA: number;
  readonly fractionKeptB: number;
}

/**
 * Singular vector canonical correlation analysis (Raghu et al. 2017, "SVCCA"): each layer reduced
 * to its top `keepDims` singular directions, then CCA between the reductions; the similarity is the
 * mean canonical correlation. `keepDims` is one number or one per layer.
 */
export function svcca(a: ActivationMatrix, b: ActivationMatrix, options: CcaOptions & { readonly keepDims: number | readonly [number, number] }): SvccaResult {
  checkPairedActivations('svcca', a, b);
  const [ka, kb] = typeof options.keepDims === 'number' ? [options.keepDims, options.keepDims] : options.keepDims;
  const ra = svdReduce(a, ka);
  const rb = svdReduce(b, kb);
  const cca = canonicalCorrelations(ra.reduced, rb.reduced, options);
  return { ...cca, singularValuesA: ra.singularValues, singularValuesB: rb.singularValues, fractionKeptA: ra.fractionKept, fractionKeptB: rb.fractionKept };
}
