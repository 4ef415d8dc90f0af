/**
 * A small dense linear-program solver: maximise cᵀx subject to rows a·x (≤ | ≥ | =) b and x ≥ 0,
 * by the two-phase simplex method on a tableau with Bland's rule (smallest entering and leaving
 * index: no cycling; Dantzig 1963, Bland 1977). Meant for the tens-to-hundreds of variables of a
 * post-processing problem (fairness/threshold-optimizer.ts), not for large sparse programs.
 */
import { check, LumenError } from './errors.js';

/** One constraint row: Σ_j coefficients[j] · x_j (op) rhs. */
export interface LinearConstraint {
  readonly coefficients: ArrayLike<number>;
  readonly op: '<=' | '>=' | '=';
  readonly rhs: number;
}

/** The optimum: the variables and cᵀx. */
export interface LinearProgramSolution {
  readonly x: Float64Array;
  readonly value: number;
}

const EPS = 1e-10;

/** Pivots the tableau on (row, col): the column becomes the unit vector of `row`. */
function pivot(t: Float64Array[], row: number, col: number): void {
  const p = t[row];
  const inv = 1 / p[col];
  for (let j = 0; j < p.length; j++) p[j] *= inv;
  p[col] = 1;
  for (let i = 0; i < t.length; i++) {
    if (i === row) continue;
    const r = t[i];
    const f = r[col];
    if (f === 0) continue;
    for (let j = 0; j < r.length; j++) r[j] -= f * p[j];
    r[col] = 0;
  }
}

/**
 * Simplex iterations on rows 0..m−1 with the reduced costs in row m (entering column: the
 * smallest index with a negative reduced cost among `allowed`). Returns false when unbounded.
 */
function iterate(t: Float64Array[], basis: Int32Array, allowed: number, fn: string): boolean {
  const m = basis.length;
  const z = t[m];
  const rhs = z.length - 1;
  for (let iter = 0; iter < 50_000; iter++) {
    let col = -1;
    for (let j = 0; j < allowed; j++) if (z[j] < -EPS) { col = j; break; }
    if (col < 0) return true;
    let row = -1;
    let best = Infinity;
    for (let i = 0; i < m; i++) {
      const a = t[i][col];
      if (a <= EPS) continue;
      const r = t[i][rhs] / a;
      if (r < best - EPS || (Math.abs(r - best) <= EPS && row >= 0 && basis[i] < basis[row])) {
        best = r;
        row = i;
      }
    }
    if (row < 0) return false;
    pivot(t, row, col);
    basis[row] = col;
  }
  throw new LumenError('numeric', `${fn}: the simplex method did not finish in 50,000 pivots`);
}

/**
 * Maximises cᵀx over x ≥ 0 and `constraints`. An infeasible or unbounded program is a LumenError
 * ('input'); so are rows whose length differs from c's.
 */
export function maximizeLinear(c: ArrayLike<number>, constraints: readonly LinearConstraint[], fn = 'maximizeLinear'): LinearProgramSolution {
  const n = c.length;
  const m = constraints.length;
  for (const [i, row] of constraints.entries()) {
    check(row.coefficients.length === n, 'input', () => `${fn}: constraint ${i} has ${row.coefficients.length} coefficients; expected ${n}`);
    check(Number.isFinite(row.rhs), 'input', () => `${fn}: constraint ${i} has a non-finite right-hand side ${row.rhs}`);
  }
  // Rows with b ≥ 0: flip the sign (and the inequality) of rows with b < 0.
  const rows = constraints.map((r) => {
    const flip = r.rhs < 0;
    const op = !flip ? r.op : r.op === '<=' ? '>=' : r.op === '>=' ? '<=' : '=';
    return { a: Float64Array.from(r.coefficients, (v) => (flip ? -v : v)), b: flip ? -r.rhs : r.rhs, op };
  });
  const slacks = rows.filter((r) => r.op !== '=').length;
  const artificials = rows.filter((r) => r.op !== '<=').length;
  const width = n + slacks + artificials + 1;
  const t = Array.from({ length: m + 1 }, () => new Float64Array(width));
  const basis = new Int32Array(m);
  let s = n;
  let a = n + slacks;
  rows.forEach((r, i) => {
    t[i].set(r.a);
    t[i][width - 1] = r.b;
    if (r.op === '<=') { t[i][s] = 1; basis[i] = s++; }
    else {
      if (r.op === '>=') t[i][s++] = -1;
      t[i][a] = 1;
      basis[i] = a++;
    }
  });
  const firstArtificial = n + slacks;
  // Phase 1: maximise −Σ artificials; reduced costs d_j = −Σ_{artificial rows} t[i][j] (0 on artificials).
  const z = t[m];
  for (let i = 0; i < m; i++) {
    if (basis[i] < firstArtificial) continue;
    for (let j = 0; j < width; j++) z[j] -= t[i][j];
  }
  for (let j = firstArtificial; j < width - 1; j++) z[j] = 0;
  if (artificials > 0) {
    iterate(t, basis, width - 1, fn);
    check(z[width - 1] >= -1e-8 * Math.max(1, ...rows.map((r) => r.b)), 'input', () => `${fn}: the constraints are infeasible`);
    // Drive artificials out of the basis (a row with no other nonzero is redundant and stays at 0).
    for (let i = 0; i < m; i++) {
      if (basis[i] < firstArtificial) continue;
      for (let j = 0; j < firstArtificial; j++) {
        if (Math.abs(t[i][j]) > 1e-9) { pivot(t, i, j); basis[i] = j; break; }
      }
    }
  }
  // Phase 2: d_j = Σ_i c_{basis i} t[i][j] − c_j over the non-artificial columns.
  const cost = (j: number): number => (j < n ? c[j] : 0);
  z.fill(0);
  for (let j = 0; j < width; j++) {
    let d = j < firstArtificial ? -cost(j) : 0;
    if (j === width - 1) d = 0;
    for (let i = 0; i < m; i++) d += cost(basis[i]) * t[i][j];
    z[j] = j >= firstArtificial && j < width - 1 ? 0 : d;
  }
  check(iterate(t, basis, firstArtificial, fn), 'input', () => `${fn}: the objective is unbounded`);
  const x = new Float64Array(n);
  for (let i = 0; i < m; i++) if (basis[i] < n) x[basis[i]] = Math.max(0, t[i][width - 1]);
  let value = 0;
  for (let j = 0; j < n; j++) value += c[j] * x[j];
  return { x, value };
}
