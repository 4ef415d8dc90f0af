import { check } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { Model } from '../core/model.js';
import { collectRepresentations } from './representations.js';

/** Options of `protoDash`. */
export interface ProtoDashOptions {
  /** Prototypes to choose (at most; the greedy stops early when no candidate improves the objective). */
  readonly prototypes: number;
  /** The rows to be represented (default: the candidate dataset itself). */
  readonly target?: Dataset;
  /** The space compared: 'input' (default) or a layer's outputs. */
  readonly layer?: string;
  /** 'gaussian' exp(−‖x − y‖² / 2σ²) (default) or 'linear' ⟨x, y⟩, as AIX360's ProtodashExplainer. */
  readonly kernel?: 'gaussian' | 'linear';
  /** The Gaussian kernel's width σ (default 2, AIX360's). */
  readonly sigma?: number;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/** Prototypes in the order chosen, their non-negative importance weights, and the objective after each step. */
export interface ProtoDashResult {
  readonly prototypes: number[];
  readonly weights: number[];
  readonly objective: number[];
}

function kernelFn(kind: 'gaussian' | 'linear', sigma: number, d: number): (a: Float64Array, i: number, b: Float64Array, j: number) => number {
  const s = -1 / (2 * sigma * sigma);
  return (a, i, b, j) => {
    let acc = 0;
    if (kind === 'linear') {
      for (let f = 0; f < d; f++) acc += a[i * d + f] * b[j * d + f];
      return acc;
    }
    for (let f = 0; f < d; f++) acc += (a[i * d + f] - b[j * d + f]) ** 2;
    return Math.exp(s * acc);
  };
}

/**
 * argmax over w ≥ 0 of `wᵀu − ½ wᵀ K w` (K positive semi-definite) by cyclic coordinate ascent
 * with projection, run to convergence (the optimum is unique when K is positive definite).
 */
export function nonNegativeQuadratic(k: Float64Array, u: Float64Array, m: number, start?: Float64Array): Float64Array {
  const w = start ? Float64Array.from(start) : new Float64Array(m);
  for (let sweep = 0; sweep < 100000; sweep++) {
    let change = 0;
    for (let i = 0; i < m; i++) {
      const kii = k[i * m + i];
      if (kii <= 0) continue;
      let r = u[i];
      for (let j = 0; j < m; j++) if (j !== i) r -= k[i * m + j] * w[j];
      const next = Math.max(0, r / kii);
      change = Math.max(change, Math.abs(next - w[i]));
      w[i] = next;
    }
    if (change <= 1e-13 * Math.max(1, ...w)) break;
  }
  return w;
}

/**
 * ProtoDash (Gurumoorthy, Dhurandhar, Cecchi & Aggarwal 2019, "Efficient data representation by
 * selecting prototypes with importance weights"; AIX360's ProtodashExplainer): weighted prototypes
 * of a target set chosen from candidate rows. With μ_c the mean kernel value of candidate c to the
 * target and K the candidates' kernel, it greedily maximises `l(w) = wᵀμ − ½ wᵀ K w` over w ≥ 0
 * supported on the chosen set S: each step adds the candidate with the largest gradient
 * `μ_c − (K w)_c` (stopping early when none is positive), then re-solves the non-negative quadratic
 * program on S. Representations (the rows, or a layer's outputs) are read one batch at a time;
 * the candidates' and target's representations are held in memory.
 */
export async function protoDash(model: Model | null, data: Dataset, options: ProtoDashOptions): Promise<ProtoDashResult> {
  const m = options.prototypes;
  check(Number.isInteger(m) && m >= 1 && m <= data.size, 'option', () => `protoDash: prototypes must be an integer from 1 to the ${data.size} candidate rows; found ${m}`);
  const kind = options.kernel ?? 'gaussian';
  check(kind === 'gaussian' || kind === 'linear', 'option', () => `protoDash: kernel must be 'gaussian' or 'linear'; found '${String(kind)}'`);
  const sigma = options.sigma ?? 2;
  check(Number.isFinite(sigma) && sigma > 0, 'option', () => `protoDash: sigma must be a positive number; found ${sigma}`);
  const cand = await collectRepresentations(model, data, options, 'protoDash');
  const target = options.target ? await collectRepresentations(model, options.target, options, 'protoDash') : cand;
  check(target.d === cand.d, 'shape', () => `protoDash: the target's representation has ${target.d} features; the candidates' ${cand.d}`);
  const n = data.size;
  const nt = options.target?.size ?? n;
  const kf = kernelFn(kind, sigma, cand.d);
  const mu = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    if (c % 64 === 0) check(!options.signal?.aborted, 'aborted', () => 'protoDash: aborted');
    let s = 0;
    for (let t = 0; t < nt; t++) s += kf(cand.z, c, target.z, t);
    mu[c] = s / nt;
  }
  const chosen: number[] = [];
  const columns: Float64Array[] = [];
  const objective: number[] = [];
  let w: Float64Array = new Float64Array(0);
  const gradient = Float64Array.from(mu);
  while (chosen.length < m) {
    check(!options.signal?.aborted, 'aborted', () => `protoDash: aborted after ${chosen.length} prototypes`);
    let best = -1;
    for (let c = 0; c < n; c++) if (!chosen.includes(c) && (best < 0 || gradient[c] > gradient[best])) best = c;
    if (best < 0 || gradient[best] <= 0) break;
    chosen.push(best);
    const col = new Float64Array(n);
    for (let j = 0; j < n; j++) col[j] = kf(cand.z, j, cand.z, best);
    columns.push(col);
    const s = chosen.length;
    const kss = new Float64Array(s * s);
    for (let a = 0; a < s; a++) for (let b = 0; b < s; b++) kss[a * s + b] = columns[b][chosen[a]];
    const start = new Float64Array(s);
    start.set(w);
    w = nonNegativeQuadratic(kss, Float64Array.from(chosen, (c) => mu[c]), s, start);
    for (let j = 0; j < n; j++) {
      let kw = 0;
      for (let b = 0; b < s; b++) kw += columns[b][j] * w[b];
      gradient[j] = mu[j] - kw;
    }
    let value = 0;
    for (let a = 0; a < s; a++) {
      value += w[a] * mu[chosen[a]];
      for (let b = 0; b < s; b++) value -= 0.5 * w[a] * kss[a * s + b] * w[b];
    }
    objective.push(value);
  }
  return { prototypes: chosen, weights: Array.from(w), objective };
}
