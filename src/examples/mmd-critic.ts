import { check } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { Model } from '../core/model.js';
import { collectRepresentations } from './representations.js';

/** Options of `mmdCritic`. */
export interface MmdCriticOptions {
  /** The space compared: 'input' (default) or a layer's outputs. */
  readonly layer?: string;
  /** RBF kernel exp(−γ‖x − y‖²) (scikit-learn's rbf_kernel); default 1 / features. */
  readonly gamma?: number;
  /** Prototypes and criticisms to choose. */
  readonly prototypes: number;
  readonly criticisms: number;
  /** 'logdet' (default): the log-determinant diversity term of the original code; 'none': witness only. */
  readonly regularizer?: 'logdet' | 'none';
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/** Dataset rows chosen as prototypes and criticisms, in the order chosen, with their greedy objective. */
export interface MmdCriticResult {
  readonly prototypes: number[];
  readonly prototypeGains: number[];
  readonly criticisms: number[];
  readonly criticismScores: number[];
}

/** The RBF kernel matrix exp(−γ‖z_i − z_j‖²), n×n float64. */
export function rbfKernel(z: Float64Array, n: number, d: number, gamma: number): Float64Array {
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    k[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let f = 0; f < d; f++) s += (z[i * d + f] - z[j * d + f]) ** 2;
      k[i * n + j] = k[j * n + i] = Math.exp(-gamma * s);
    }
  }
  return k;
}

/** The first maximum of `score` over candidates (null when there are none). */
function argmax(candidates: readonly number[], score: (c: number) => number): { c: number; s: number } | null {
  let best: { c: number; s: number } | null = null;
  for (const c of candidates) {
    const s = score(c);
    if (best === null || s > best.s) best = { c, s };
  }
  return best;
}

/** log|det| of a small symmetric matrix by LU with partial pivoting. */
function logAbsDet(a: number[][]): number {
  const m = a.map((r) => [...r]);
  const n = m.length;
  let log = 0;
  for (let i = 0; i < n; i++) {
    let p = i;
    for (let r = i + 1; r < n; r++) if (Math.abs(m[r][i]) > Math.abs(m[p][i])) p = r;
    [m[i], m[p]] = [m[p], m[i]];
    if (m[i][i] === 0) return -Infinity;
    log += Math.log(Math.abs(m[i][i]));
    for (let r = i + 1; r < n; r++) {
      const f = m[r][i] / m[i][i];
      for (let c = i; c < n; c++) m[r][c] -= f * m[i][c];
    }
  }
  return log;
}

/**
 * Greedy MMD-critic selection on a kernel matrix, as the original code (Kim et al. 2016, BeenKim/MMD-critic
 * `greedy_select_protos`, `select_criticism_regularized`): prototypes maximise the MMD gain
 * `2·mean_i K[i,c] − (2·Σ_{s∈S} K[s,c] + K[c,c]) / (|S| + 1)`; criticisms the witness
 * `|mean_i K[i,c] − mean_{s∈protos} K[s,c]|` over non-prototypes, plus with 'logdet' the log-determinant of the
 * chosen criticisms' kernel (via the Schur complement log|K_cc − k_cᵀ K_C⁻¹ k_c|). Ties: the first maximum.
 */
export function mmdCriticSelect(k: Float64Array, n: number, m: number, c: number, regularizer: 'logdet' | 'none' = 'logdet'): MmdCriticResult {
  check(Number.isInteger(m) && m >= 1 && Number.isInteger(c) && c >= 0 && m + c <= n, 'option', () =>
    `mmdCritic: need 1 ≤ prototypes and 0 ≤ criticisms with prototypes + criticisms ≤ ${n} rows; found ${m} and ${c}`);
  const colsum = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) colsum[j] += k[i * n + j];
  const prototypes: number[] = [];
  const gains: number[] = [];
  for (let step = 0; step < m; step++) {
    const candidates = [...Array(n).keys()].filter((i) => !prototypes.includes(i));
    const best = argmax(candidates, (cand) => {
      const base = (2 * colsum[cand]) / n;
      if (prototypes.length === 0) return base - Math.abs(k[cand * n + cand]);
      let s = 0;
      for (const p of prototypes) s += k[p * n + cand];
      return base - (2 * s + k[cand * n + cand]) / (prototypes.length + 1);
    }) as { c: number; s: number };
    prototypes.push(best.c);
    gains.push(best.s);
  }
  const criticisms: number[] = [];
  const scores: number[] = [];
  for (let step = 0; step < c; step++) {
    const candidates = [...Array(n).keys()].filter((i) => !prototypes.includes(i) && !criticisms.includes(i));
    const best = argmax(candidates, (cand) => {
      let s = 0;
      for (const p of prototypes) s += k[p * n + cand];
      const witness = Math.abs(colsum[cand] / n - s / m);
      if (regularizer === 'none') return witness;
      if (criticisms.length === 0) return witness - Math.log(Math.abs(k[cand * n + cand]));
      const chosen = [...criticisms, cand];
      const full = logAbsDet(chosen.map((a) => chosen.map((b) => k[a * n + b])));
      const prev = logAbsDet(criticisms.map((a) => criticisms.map((b) => k[a * n + b])));
      return witness + (full - prev);
    }) as { c: number; s: number };
    criticisms.push(best.c);
    scores.push(best.s);
  }
  return { prototypes, prototypeGains: gains, criticisms, criticismScores: scores };
}

/**
 * MMD-critic prototypes and criticisms (Kim, Khanna & Koyejo 2016, "Examples are not enough, learn to
 * criticize!") of a dataset, in its input space or in a layer's outputs, with an RBF kernel; the
 * greedy steps are the original code's (see `mmdCriticSelect`). The representations are read one
 * batch at a time; the kernel matrix holds n² numbers.
 */
export async function mmdCritic(model: Model | null, data: Dataset, options: MmdCriticOptions): Promise<MmdCriticResult> {
  const { z, d } = await collectRepresentations(model, data, options, 'mmdCritic');
  const gamma = options.gamma ?? 1 / Math.max(d, 1);
  check(gamma > 0 && Number.isFinite(gamma), 'option', () => `mmdCritic: gamma must be a positive number; found ${gamma}`);
  const regularizer = options.regularizer ?? 'logdet';
  check(regularizer === 'logdet' || regularizer === 'none', 'option', () => `mmdCritic: regularizer must be 'logdet' or 'none'; found '${String(regularizer)}'`);
  return mmdCriticSelect(rbfKernel(z, data.size, d, gamma), data.size, options.prototypes, options.criticisms, regularizer);
}
