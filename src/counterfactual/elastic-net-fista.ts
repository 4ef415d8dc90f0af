/**
 * The elastic-net optimiser that the Contrastive Explanations Method (Dhurandhar et al. 2018) and
 * prototype-guided counterfactuals (Van Looveren & Klaise 2021) share: FISTA (Beck & Teboulle 2009)
 * on c·L_pred + β·‖x − x₀‖₁ + ‖x − x₀‖²₂ + (method terms), the L1 term by shrinkage-thresholding,
 * every row with its own weight c searched ×10 then bisected (src/counterfactual/weight-search.ts),
 * and the closest valid iterate (least β·L1 + L2) kept, as alibi's CEM and CounterfactualProto do.
 */
import { check } from '../core/errors.js';
import { WeightSearch } from './weight-search.js';

/**
 * The shrinkage-thresholding operator S_t about `centre`, then the box [lower, upper]
 * (Dhurandhar et al. 2018, eq. 4; Beck & Teboulle's proximal step of t·‖· − centre‖₁):
 * out_p = z_p − t if z_p − centre_p > t, z_p + t if z_p − centre_p < −t, else centre_p; clipped.
 * Writes into `out` (which may be `z`) and returns it.
 */
export function shrinkThreshold(z: Float32Array, centre: Float32Array, t: number, lower: Float32Array, upper: Float32Array, out: Float32Array = new Float32Array(z.length)): Float32Array {
  for (let p = 0; p < z.length; p++) {
    const diff = z[p] - centre[p];
    const v = diff > t ? z[p] - t : diff < -t ? z[p] + t : centre[p];
    out[p] = Math.min(upper[p], Math.max(lower[p], v));
  }
  return out;
}

/** What a method gives the optimiser: n rows of d values, flattened. */
export interface ElasticNetProblem {
  readonly n: number;
  readonly d: number;
  /** Centre of the L1/L2 penalties (the explained rows; for pertinent positives the "absent" values). */
  readonly centre: Float32Array;
  /** First iterate (default the centre). */
  readonly start?: Float32Array;
  /** Per value bounds (a frozen value has lower = upper). */
  readonly lower: Float32Array;
  readonly upper: Float32Array;
  /**
   * ∂/∂x of Σ_i (c_i·L_pred,i + the method's smooth terms) at `y` (not the L2 term, which the
   * optimiser adds): one batched model call for all rows.
   */
  readonly gradient: (y: Float32Array, c: readonly number[]) => Promise<Float32Array>;
  /** Per row: does `x` meet the method's goal (class flipped / kept)? One batched model call. */
  readonly valid: (x: Float32Array) => Promise<boolean[]>;
  /** Optional per-iteration hook (progress, abort). */
  readonly onIteration?: (cStep: number, iteration: number) => void;
}

/** Options of the optimiser, with the defaults of alibi's CEM / CounterfactualProto. */
export interface ElasticNetOptions {
  /** Weight of the L1 term (default 0.1). */
  readonly beta?: number;
  /** First weight c of the prediction term (default 10). */
  readonly cInit?: number;
  /** Values of c tried per row (default 10). */
  readonly cSteps?: number;
  /** FISTA iterations per c (default 1000). */
  readonly maxIterations?: number;
  /** First step size (default 0.01), decayed polynomially (power 0.5) to 0 over the iterations as alibi does. */
  readonly learningRate?: number;
  /** Keep the step size constant instead (default false). */
  readonly constantLearningRate?: boolean;
}

/** The optimiser's result per row. */
export interface ElasticNetResult {
  /** Best valid iterate per row (the start where none was found), flattened. */
  readonly best: Float32Array;
  readonly found: boolean[];
  /** The c of the best iterate (null where none). */
  readonly c: (number | null)[];
  /** The c values tried per row. */
  readonly cTried: number[][];
  /** Elastic-net distance β·L1 + L2 of the best iterate to the centre. */
  readonly distance: number[];
  readonly modelCalls: number;
}

/** Checks and fills the optimiser's options, naming `fn` in errors. */
export function elasticNetSettings(options: ElasticNetOptions, fn: string): Required<ElasticNetOptions> {
  const s = {
    beta: options.beta ?? 0.1, cInit: options.cInit ?? 10, cSteps: options.cSteps ?? 10, maxIterations: options.maxIterations ?? 1000,
    learningRate: options.learningRate ?? 0.01, constantLearningRate: options.constantLearningRate ?? false,
  };
  check(Number.isFinite(s.beta) && s.beta >= 0, 'option', () => `${fn}: beta must be ≥ 0; found ${s.beta}`);
  check(Number.isFinite(s.cInit) && s.cInit > 0, 'option', () => `${fn}: cInit must be > 0; found ${s.cInit}`);
  check(Number.isInteger(s.cSteps) && s.cSteps >= 1, 'option', () => `${fn}: cSteps must be a positive integer; found ${s.cSteps}`);
  check(Number.isInteger(s.maxIterations) && s.maxIterations >= 1, 'option', () => `${fn}: maxIterations must be a positive integer; found ${s.maxIterations}`);
  check(Number.isFinite(s.learningRate) && s.learningRate > 0, 'option', () => `${fn}: learningRate must be > 0; found ${s.learningRate}`);
  return s;
}

/** β·‖x_i − centre_i‖₁ + ‖x_i − centre_i‖²₂ per row. */
export function elasticNetDistance(x: Float32Array, centre: Float32Array, n: number, d: number, beta: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    let l1 = 0;
    let l2 = 0;
    for (let j = i * d; j < (i + 1) * d; j++) {
      const v = x[j] - centre[j];
      l1 += Math.abs(v);
      l2 += v * v;
    }
    return beta * l1 + l2;
  });
}

/**
 * Runs FISTA (Beck & Teboulle 2009) as Dhurandhar et al. 2018 (Algorithm 1) and alibi run it, on
 * all rows at once: per iteration k, with step α_k,
 *   x_{k+1} = Π(S_{α_k·β}(y_k − α_k·∇g(y_k))),  y_{k+1} = Π(x_{k+1} + k/(k+3)·(x_{k+1} − x_k)),
 * g the smooth part (the method's terms + ‖x − centre‖²₂), S the shrinkage-thresholding operator
 * about the centre and Π the box. The threshold is α_k·β, the proximal step of β·L1 (the paper and
 * alibi threshold by β itself, which weights L1 by β/α_k). Each c starts again from the start; the
 * valid iterate with the least β·L1 + L2 over all c is kept, and c is searched per row
 * (×10 while none is valid, then bisected). Two batched model calls per iteration: the gradient at
 * y_k and the check of x_{k+1}.
 */
export async function elasticNetFista(problem: ElasticNetProblem, options: ElasticNetOptions, fn: string): Promise<ElasticNetResult> {
  const s = elasticNetSettings(options, fn);
  const { n, d, centre, lower, upper } = problem;
  const start = problem.start ?? centre;
  check(centre.length === n * d && start.length === n * d && lower.length === n * d && upper.length === n * d, 'shape', () => `${fn}: the problem's arrays must hold ${n}×${d} values`);
  const search = new WeightSearch(n, s.cInit);
  const best = Float32Array.from(start);
  const bestDist = new Array<number>(n).fill(Number.POSITIVE_INFINITY);
  const bestC = new Array<number | null>(n).fill(null);
  const cTried: number[][] = Array.from({ length: n }, () => []);
  let calls = 0;
  for (let step = 0; step < s.cSteps; step++) {
    const c = [...search.weights];
    c.forEach((v, i) => cTried[i].push(v));
    const reached = new Array<boolean>(n).fill(false);
    let x: Float32Array = Float32Array.from(start);
    let y = Float32Array.from(start);
    const z = new Float32Array(n * d);
    for (let k = 0; k < s.maxIterations; k++) {
      problem.onIteration?.(step, k);
      const alpha = s.constantLearningRate ? s.learningRate : s.learningRate * Math.sqrt(1 - k / s.maxIterations);
      const g = await problem.gradient(y, c);
      calls++;
      for (let p = 0; p < n * d; p++) z[p] = y[p] - alpha * (g[p] + 2 * (y[p] - centre[p]));
      const next = shrinkThreshold(z, centre, alpha * s.beta, lower, upper);
      const m = k / (k + 3);
      for (let p = 0; p < n * d; p++) y[p] = Math.min(upper[p], Math.max(lower[p], next[p] + m * (next[p] - x[p])));
      x = next;
      const ok = await problem.valid(x);
      calls++;
      const dist = elasticNetDistance(x, centre, n, d, s.beta);
      for (let i = 0; i < n; i++) {
        if (!ok[i]) continue;
        reached[i] = true;
        if (dist[i] < bestDist[i]) {
          bestDist[i] = dist[i];
          bestC[i] = c[i];
          best.set(x.subarray(i * d, (i + 1) * d), i * d);
        }
      }
    }
    for (let i = 0; i < n; i++) search.update(i, reached[i]);
  }
  return { best, found: bestC.map((v) => v !== null), c: bestC, cTried, distance: bestDist.map((v) => (Number.isFinite(v) ? v : Number.NaN)), modelCalls: calls };
}
