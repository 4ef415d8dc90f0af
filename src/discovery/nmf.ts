/**
 * Non-negative matrix factorisation by multiplicative updates (Lee & Seung 2001, "Algorithms for
 * Non-negative Matrix Factorization"), the Frobenius-norm solver scikit-learn calls `solver='mu'`:
 * A ≈ U W with U ≥ 0 `[n, r]` and W ≥ 0 `[r, p]`,
 *   W ← W ∘ (UᵀA) / (UᵀU W),   U ← U ∘ (A Wᵀ) / (U W Wᵀ),
 * from scikit-learn's `init='random'` start (|N(0, 1)| · √(mean(A) / r), seeded), stopping when the
 * relative drop of ‖A − UW‖_F over 10 iterations is below `tol` (as scikit-learn checks) or after
 * `maxIterations`. The objective never increases (Lee & Seung's theorem 1).
 */
import { check } from '../core/errors.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';

/** Options of `nmf`. */
export interface NmfOptions {
  /** Iterations at most (default 200, scikit-learn's). */
  readonly maxIterations?: number;
  /** Relative tolerance of the stopping test (default 1e-4, scikit-learn's). */
  readonly tol?: number;
  readonly seed?: number;
}

/** A factorisation A ≈ U W: `u` `[n, r]` and `w` `[r, p]` row-major, with ‖A − UW‖_F after each checked iteration. */
export interface NmfResult {
  readonly u: Float64Array;
  readonly w: Float64Array;
  readonly rank: number;
  readonly iterations: number;
  /** ‖A − UW‖_F at the start and every 10 iterations, and at the end. */
  readonly errors: readonly number[];
}

const EPS = 1e-10;

/** C = X Y for X `[a, b]`, Y `[b, c]`; `tx` reads X as its transpose (X given `[b, a]`), `ty` Y likewise (given `[c, b]`). */
function matmul(x: Float64Array, y: Float64Array, a: number, b: number, c: number, tx = false, ty = false): Float64Array {
  const out = new Float64Array(a * c);
  for (let i = 0; i < a; i++) {
    for (let k = 0; k < b; k++) {
      const xv = tx ? x[k * a + i] : x[i * b + k];
      if (xv === 0) continue;
      for (let j = 0; j < c; j++) out[i * c + j] += xv * (ty ? y[j * b + k] : y[k * c + j]);
    }
  }
  return out;
}

/** ‖A − UW‖_F. */
function residual(a: ArrayLike<number>, u: Float64Array, w: Float64Array, n: number, p: number, r: number): number {
  const uw = matmul(u, w, n, r, p);
  let s = 0;
  for (let i = 0; i < n * p; i++) s += (a[i] - uw[i]) ** 2;
  return Math.sqrt(s);
}

/** Factorises the non-negative `a` `[n, p]` (row-major) into `rank` parts (see the file comment). */
export function nmf(a: ArrayLike<number>, n: number, p: number, rank: number, options: NmfOptions = {}): NmfResult {
  const maxIterations = options.maxIterations ?? 200;
  const tol = options.tol ?? 1e-4;
  check(a.length === n * p, 'shape', () => `nmf: expected ${n} × ${p} = ${n * p} values; found ${a.length}`);
  check(Number.isInteger(rank) && rank >= 1 && rank <= Math.min(n, p), 'option', () => `nmf: rank must be an integer in [1, min(n, p) = ${Math.min(n, p)}]; found ${rank}`);
  check(Number.isInteger(maxIterations) && maxIterations >= 1, 'option', () => `nmf: maxIterations must be a positive integer; found ${maxIterations}`);
  let mean = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    check(Number.isFinite(v) && v >= 0, 'input', () => `nmf: needs a non-negative finite matrix; found ${v} at entry ${i} (take activations after a ReLU)`);
    mean += v / a.length;
  }
  check(mean > 0, 'input', () => 'nmf: the matrix is all zeros (the layer is dead on these inputs)');
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  const scale = Math.sqrt(mean / rank);
  const u = Float64Array.from(rng.normals(n * rank), (v) => Math.abs(v) * scale);
  const w = Float64Array.from(rng.normals(rank * p), (v) => Math.abs(v) * scale);
  const errors = [residual(a, u, w, n, p, rank)];
  const av = Float64Array.from(a as ArrayLike<number>);
  let it = 0;
  let previous = errors[0];
  while (it < maxIterations) {
    // W ← W ∘ (UᵀA) / (UᵀU W)
    const uta = matmul(u, av, rank, n, p, true);
    const utu = matmul(u, u, rank, n, rank, true);
    const utuw = matmul(utu, w, rank, rank, p);
    for (let i = 0; i < w.length; i++) w[i] *= uta[i] / Math.max(utuw[i], EPS);
    // U ← U ∘ (A Wᵀ) / (U W Wᵀ)
    const awt = matmul(av, w, n, p, rank, false, true);
    const wwt = matmul(w, w, rank, p, rank, false, true);
    const uwwt = matmul(u, wwt, n, rank, rank);
    for (let i = 0; i < u.length; i++) u[i] *= awt[i] / Math.max(uwwt[i], EPS);
    it++;
    if (it % 10 === 0) {
      const e = residual(a, u, w, n, p, rank);
      errors.push(e);
      if ((previous - e) / errors[0] < tol) break;
      previous = e;
    }
  }
  if (it % 10 !== 0) errors.push(residual(a, u, w, n, p, rank));
  return { u, w, rank, iterations: it, errors };
}
