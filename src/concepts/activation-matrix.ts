import { check } from '../core/errors.js';

/** Activations of one layer: `rows` examples × `cols` units, row-major float64. */
export interface ActivationMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** An activation matrix from nested rows ([n][d]) or a flat array with its shape, checked. */
export function activationMatrix(values: readonly (readonly number[])[] | ArrayLike<number>, shape?: readonly [number, number]): ActivationMatrix {
  if (shape) {
    const [rows, cols] = shape;
    check(values.length === rows * cols, 'shape', () => `activationMatrix: expected ${rows}×${cols} = ${rows * cols} values; found ${values.length}`);
    return { rows, cols, data: Float64Array.from(values as ArrayLike<number>) };
  }
  const nested = values as readonly (readonly number[])[];
  const rows = nested.length;
  const cols = rows ? nested[0].length : 0;
  check(nested.every((r) => Array.isArray(r) && r.length === cols), 'shape', () => `activationMatrix: expected rows of equal length ${cols}; found lengths ${[...new Set(nested.map((r) => (Array.isArray(r) ? r.length : typeof r)))].join(', ')}`);
  const data = new Float64Array(rows * cols);
  nested.forEach((r, i) => data.set(r, i * cols));
  return { rows, cols, data };
}

/** The matrix with each column's mean removed. */
export function centreColumns(m: ActivationMatrix): ActivationMatrix {
  const { rows, cols } = m;
  const data = Float64Array.from(m.data);
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += data[i * cols + j];
    mean /= rows;
    for (let i = 0; i < rows; i++) data[i * cols + j] -= mean;
  }
  return { rows, cols, data };
}

/** Aᵀ B for A [n × p] and B [n × q] (same rows): a p × q row-major matrix. */
export function crossProduct(a: ActivationMatrix, b: ActivationMatrix): Float64Array {
  check(a.rows === b.rows, 'shape', () => `crossProduct: both matrices need the same examples; found ${a.rows} and ${b.rows} rows`);
  const p = a.cols;
  const q = b.cols;
  const out = new Float64Array(p * q);
  for (let i = 0; i < a.rows; i++) {
    const ai = i * p;
    const bi = i * q;
    for (let r = 0; r < p; r++) {
      const v = a.data[ai + r];
      if (v === 0) continue;
      for (let c = 0; c < q; c++) out[r * q + c] += v * b.data[bi + c];
    }
  }
  return out;
}

/** The product of row-major matrices A [p × k] and B [k × q]. */
export function matmul(a: Float64Array, b: Float64Array, p: number, k: number, q: number): Float64Array {
  const out = new Float64Array(p * q);
  for (let i = 0; i < p; i++) for (let t = 0; t < k; t++) {
    const v = a[i * k + t];
    if (v !== 0) for (let j = 0; j < q; j++) out[i * q + j] += v * b[t * q + j];
  }
  return out;
}

/** Checks two layers' activations describe the same examples and contain only finite numbers. */
export function checkPairedActivations(what: string, a: ActivationMatrix, b: ActivationMatrix): void {
  check(a.rows === b.rows, 'shape', () => `${what}: both layers need activations of the same examples; found ${a.rows} and ${b.rows} rows`);
  check(a.rows >= 2, 'shape', () => `${what}: at least 2 examples are needed; found ${a.rows}`);
  for (const [name, m] of [['first', a], ['second', b]] as const) {
    check(m.cols >= 1, 'shape', () => `${what}: the ${name} layer has no units`);
    const bad = m.data.findIndex((v) => !Number.isFinite(v));
    check(bad < 0, 'numeric', () => `${what}: the ${name} layer's activations hold a non-finite value at row ${Math.floor(bad / m.cols)}, unit ${bad % m.cols}`);
  }
}

/** The symmetric layer × layer matrix of a pairwise similarity `f` (each pair computed once). */
export function pairwiseMatrix(layers: readonly ActivationMatrix[], f: (a: ActivationMatrix, b: ActivationMatrix) => number): number[][] {
  const out = layers.map(() => layers.map(() => 0));
  for (let i = 0; i < layers.length; i++) for (let j = i; j < layers.length; j++) out[i][j] = out[j][i] = f(layers[i], layers[j]);
  return out;
}
