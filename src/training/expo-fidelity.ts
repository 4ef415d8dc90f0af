/**
 * ExpO's fidelity regulariser (Plumb, Al-Shedivat, Cabrera, Perer, Xing & Talwalkar,
 * "Regularizing Black-box Models for Improved Interpretability", NeurIPS 2020): train the model so
 * that local linear explanations (LIME-style fits on a Gaussian neighbourhood) fit it well.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import { Rng } from '../core/random.js';
import type { TrainingPenalty } from './fit-classifier.js';

/** Options of `expoFidelity` and `neighbourhoodFidelity`. */
export interface ExpoFidelityOptions {
  /** Weight of the regulariser (default 1). */
  readonly lambda?: number;
  /** Standard deviation σ of the neighbourhood N_x = x + N(0, σ²I) (default 0.5). */
  readonly sigma?: number;
  /** Points sampled per neighbourhood (default 2 · inputSize + 2; at least inputSize + 2). */
  readonly neighbours?: number;
  /** Seed of the neighbourhood draws (default 1337). */
  readonly seed?: number;
  /** Which output the explanations fit: 'probabilities' (default) or 'logits'. */
  readonly output?: 'probabilities' | 'logits';
}

/**
 * I − H for the least-squares fit of an intercept and a linear term on the offsets `noise`
 * ([S, D]), H = A(AᵀA)⁻¹Aᵀ, A = [1 | noise]: the residual operator of the local linear fit. The same
 * for every x, since the design is centred at x.
 */
function residualOperator(noise: Float32Array, s: number, d: number): tf.Tensor2D {
  const m = d + 1;
  const a = (i: number, j: number): number => (j === 0 ? 1 : noise[i * d + j - 1]);
  // [AᵀA | I], reduced by Gauss–Jordan with partial pivoting to [I | (AᵀA)⁻¹]
  const g = Array.from({ length: m }, (_, r) => {
    const row = new Float64Array(2 * m);
    for (let c = 0; c < m; c++) for (let i = 0; i < s; i++) row[c] += a(i, r) * a(i, c);
    row[m + r] = 1;
    return row;
  });
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(g[r][c]) > Math.abs(g[p][c])) p = r;
    [g[c], g[p]] = [g[p], g[c]];
    const pivot = g[c][c];
    for (let k = 0; k < 2 * m; k++) g[c][k] /= pivot;
    for (let r = 0; r < m; r++) if (r !== c && g[r][c] !== 0) { const f = g[r][c]; for (let k = 0; k < 2 * m; k++) g[r][k] -= f * g[c][k]; }
  }
  const aInvT = new Float64Array(s * m); // A (AᵀA)⁻¹
  for (let i = 0; i < s; i++) for (let c = 0; c < m; c++) { let t = 0; for (let k = 0; k < m; k++) t += a(i, k) * g[k][m + c]; aInvT[i * m + c] = t; }
  const out = new Float32Array(s * s);
  for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) { let h = 0; for (let c = 0; c < m; c++) h += aInvT[i * m + c] * a(j, c); out[i * s + j] = (i === j ? 1 : 0) - h; }
  return tf.tensor2d(out, [s, s]);
}

function settings(o: ExpoFidelityOptions, d: number, fn: string) {
  const sigma = o.sigma ?? 0.5;
  const neighbours = o.neighbours ?? 2 * d + 2;
  const lambda = o.lambda ?? 1;
  check(Number.isFinite(sigma) && sigma > 0, 'option', () => `${fn}: sigma must be a number > 0; found ${sigma}`);
  check(Number.isInteger(neighbours) && neighbours >= d + 2, 'option', () => `${fn}: neighbours must be an integer ≥ inputSize + 2 (${d + 2}); found ${neighbours}`);
  check(Number.isFinite(lambda) && lambda >= 0, 'option', () => `${fn}: lambda must be a number ≥ 0; found ${lambda}`);
  check(o.output === undefined || o.output === 'probabilities' || o.output === 'logits', 'option', () => `${fn}: output must be 'probabilities' or 'logits'; found '${String(o.output)}'`);
  return { sigma, neighbours, lambda, probabilities: o.output !== 'logits' };
}

/**
 * The mean squared residual of local linear fits: for each x of `x` ([B, D]), S points
 * x + ε, ε ~ N(0, σ²I) (the same offsets for the batch, fresh for every call), the least-squares
 * fit of each output on [1, ε], and the mean over points and outputs of (fit − f)². ExpO's
 * neighbourhood fidelity (Plumb et al. 2020, eq. 2); lower is better.
 */
function fidelityLoss(forward: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, s: ReturnType<typeof settings>, rng: Rng): tf.Scalar {
  const [b, d] = x.shape as [number, number];
  const draws = rng.normals(s.neighbours * d, 0, s.sigma);
  const noise = tf.tensor2d(draws, [s.neighbours, d]);
  const residual = residualOperator(draws, s.neighbours, d);
  const points = tf.reshape(tf.add(tf.expandDims(x, 1), noise), [b * s.neighbours, d]);
  const out = forward(points);
  const f = s.probabilities ? tf.softmax(out) : out;
  const k = f.shape[1] as number;
  const values = tf.reshape(f, [b, s.neighbours, k]);
  const r = tf.matMul(tf.tile(tf.expandDims(residual, 0), [b, 1, 1]), values);
  return tf.mean(tf.square(r)) as tf.Scalar;
}

/**
 * ExpO-Fidelity as a `fitClassifier` penalty: λ · the neighbourhood fidelity of local linear
 * explanations at each training example of the step (Plumb et al. 2020). Inputs are flat `[B, D]`.
 *
 * @example
 * await fitClassifier(model, x, labels, { penalty: expoFidelity({ lambda: 5, sigma: 0.5, seed: 1 }) });
 */
export function expoFidelity(options: ExpoFidelityOptions = {}): TrainingPenalty {
  const rng = new Rng(options.seed ?? 1337);
  return ({ x, forward }) => {
    check(x.rank === 2, 'shape', () => `expoFidelity: inputs must be flat [B, D]; found [${x.shape}]`);
    const s = settings(options, x.shape[1] as number, 'expoFidelity');
    return tf.mul(s.lambda, fidelityLoss(forward, x, s, rng)) as tf.Scalar;
  };
}

/**
 * The neighbourhood fidelity metric of ExpO (Plumb et al. 2020): the mean squared error of local
 * linear explanations fitted on N(x, σ²I) neighbourhoods of each row of `x`, against the model's
 * outputs there (probabilities by default). Lower means local explanations describe the model better.
 */
export function neighbourhoodFidelity(model: tf.LayersModel, x: tf.Tensor2D, options: ExpoFidelityOptions = {}): number {
  const s = settings(options, x.shape[1], 'neighbourhoodFidelity');
  const rng = new Rng(options.seed ?? 1337);
  return tf.tidy(() => fidelityLoss((t) => model.predict(t) as tf.Tensor, x, s, rng).dataSync()[0]);
}
