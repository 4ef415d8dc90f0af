import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { AttackExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { outputKindOf } from '../core/model.js';
import { tabularRows } from '../global/tabular-rows.js';
import { featureScales } from './feature-scales.js';

/** Options of `wachterCounterfactual`. */
export interface WachterOptions {
  /** The class to reach: an index, or 'other' (default: the most probable class other than the prediction). */
  readonly target?: number | 'other';
  /** First weight λ of the prediction term (default 0.1); multiplied by 10 until the target is reached. */
  readonly lambdaInit?: number;
  /** Values of λ tried (default 10, alibi's max_lam_steps). */
  readonly lambdaSteps?: number;
  /** Proximal gradient steps per λ (default 300). */
  readonly steps?: number;
  readonly learningRate?: number;
  /** Columns never changed (indices); categorical columns (the dataset's `kinds`) are held too. */
  readonly immutable?: readonly number[];
  /** Per column [min, max] (default the data's range). */
  readonly ranges?: readonly (readonly [number, number])[];
  /** Changes below this size are not listed as changed (default 1e-4 of the column's MAD). */
  readonly tolerance?: number;
}

/**
 * Wachter et al., Counterfactual Explanations without Opening the Black Box, 2018: for each row of
 * `x` `[N, d]`, minimise λ·(p_target(x′) − 1)² + Σ_j |x′_j − x_j| / MAD_j (MAD of `data`'s column)
 * by proximal gradient steps (the L1 term by soft-thresholding), λ ×10 until the target class is
 * reached; immutable columns held, each column clipped to its range. All rows optimise together
 * (one model call per step). Gradients through the model; black boxes by central differences (one
 * batched call of N·2d rows per step). Returns kind 'attack': the counterfactuals with predictions,
 * `norms` their MAD-scaled L1 distances, `meta.changed` the changed columns' names per row.
 */
export async function wachterCounterfactual(model: Model, data: Dataset, x: tf.Tensor, options: WachterOptions = {}): Promise<AttackExplanation> {
  const fn = 'wachterCounterfactual';
  check(x.rank === 2 && data.inputShape.length === 1 && x.shape[1] === data.inputShape[0], 'shape', () => `${fn}: rows must be [N, ${data.inputShape[0]}] like the tabular dataset; found [${x.shape}]`);
  const [n, d] = x.shape;
  const lambdaSteps = options.lambdaSteps ?? 10;
  const steps = options.steps ?? 300;
  const lr = options.learningRate ?? 0.05;
  let lambda0 = options.lambdaInit ?? 0.1;
  check(Number.isInteger(steps) && steps >= 1 && Number.isInteger(lambdaSteps) && lambdaSteps >= 1, 'option', () => `${fn}: steps and lambdaSteps must be positive integers; found ${steps}, ${lambdaSteps}`);
  check(lr > 0 && lambda0 > 0, 'option', () => `${fn}: learningRate and lambdaInit must be > 0; found ${lr}, ${lambda0}`);
  const table = await tabularRows(data, fn, 1024);
  const { mad, min, max } = featureScales(table.values, table.rows, d);
  const ranges = options.ranges ?? min.map((lo, j) => [lo, max[j]] as const);
  check(ranges.length === d && ranges.every(([lo, hi]) => lo <= hi), 'option', () => `${fn}: ranges must give [min, max] for each of the ${d} columns`);
  const frozen = new Set([...(options.immutable ?? []), ...(data.kinds ?? []).flatMap((k, j) => (k === 'categorical' ? [j] : []))]);
  for (const j of options.immutable ?? []) check(Number.isInteger(j) && j >= 0 && j < d, 'option', () => `${fn}: immutable column must be in [0, ${d - 1}]; found ${j}`);
  const probs = (z: tf.Tensor): tf.Tensor => (outputKindOf(model) === 'probabilities' ? z : tf.softmax(z));
  const x0 = Float32Array.from(await x.data());
  const out0 = await model.predict(x);
  const pt = tf.tidy(() => probs(out0));
  const p0 = (await pt.array()) as number[][];
  tf.dispose([out0, pt]);
  const k = p0[0].length;
  const original = p0.map((r) => r.indexOf(Math.max(...r)));
  const target = p0.map((r, i) => {
    if (typeof options.target === 'number') return options.target;
    let best = -1;
    r.forEach((v, c) => { if (c !== original[i] && (best < 0 || v > r[best])) best = c; });
    return best;
  });
  target.forEach((t) => check(Number.isInteger(t) && t >= 0 && t < k, 'target', () => `${fn}: target must be a class in [0, ${k - 1}]; found ${t}`));
  const oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(target, 'int32'), k).cast('float32'));
  const done = new Array<boolean>(n).fill(false);
  const found = Float32Array.from(x0);
  const lambdas = new Array<number>(n).fill(Number.NaN);
  const cur = Float32Array.from(x0);
  const thresholdScale = mad.map((m) => lr / m);
  let calls = 1;
  for (let s = 0; s < lambdaSteps && done.some((v) => !v); s++, lambda0 *= 10) {
    const lambda = lambda0;
    for (let t = 0; t < steps; t++) {
      const grad = await predictionGradient(model, cur, n, d, oneHot, probs);
      calls++;
      for (let i = 0; i < n; i++) {
        if (done[i]) continue;
        for (let j = 0; j < d; j++) {
          const p = i * d + j;
          if (frozen.has(j)) { cur[p] = x0[p]; continue; }
          let v = cur[p] - lr * lambda * grad[p];
          const delta = v - x0[p];
          const shrink = thresholdScale[j];
          v = x0[p] + Math.sign(delta) * Math.max(0, Math.abs(delta) - shrink);
          cur[p] = Math.min(ranges[j][1], Math.max(ranges[j][0], v));
        }
      }
    }
    const z = tf.tensor(cur, [n, d]);
    const out = await model.predict(z);
    calls++;
    const am = out.argMax(-1);
    const pred = Array.from(await am.data());
    tf.dispose([z, out, am]);
    for (let i = 0; i < n; i++) if (!done[i] && pred[i] === target[i]) { done[i] = true; lambdas[i] = lambda; found.set(cur.subarray(i * d, (i + 1) * d), i * d); }
  }
  oneHot.dispose();
  const z = tf.tensor(found, [n, d]);
  const out = await model.predict(z);
  const am = out.argMax(-1);
  const predictions = Array.from(await am.data());
  tf.dispose([z, out, am]);
  const names = data.featureNames ?? Array.from({ length: d }, (_, j) => `x${j}`);
  const tol = options.tolerance ?? 1e-4;
  const norms: number[] = [];
  const changed: string[][] = [];
  for (let i = 0; i < n; i++) {
    let dist = 0;
    const ch: string[] = [];
    for (let j = 0; j < d; j++) {
      const diff = Math.abs(found[i * d + j] - x0[i * d + j]) / mad[j];
      dist += diff;
      if (diff > tol) ch.push(names[j]);
    }
    norms.push(dist);
    changed.push(ch);
  }
  return {
    kind: 'attack', method: 'wachter-counterfactual', shape: [d], inputs: Array.from(found), originalPredictions: original, predictions, norms,
    meta: { target, success: done, lambda: lambdas.map((v) => (Number.isFinite(v) ? v : null)), changed, mad: Array.from(mad), modelCalls: calls },
  };
}

/** ∂ (p_target − 1)² / ∂x per row: through the model when it is differentiable, else by central differences in one batched call. */
async function predictionGradient(model: Model, cur: Float32Array, n: number, d: number, oneHot: tf.Tensor, probs: (z: tf.Tensor) => tf.Tensor): Promise<Float32Array> {
  if (model.differentiable) {
    const g = tf.tidy(() => tf.grad((z: tf.Tensor) => probs(model.run(z).output).mul(oneHot).sum(-1).sub(1).square().sum())(tf.tensor(cur, [n, d])));
    const v = (await g.data()) as Float32Array;
    g.dispose();
    return v;
  }
  const h = 1e-3;
  const rows = new Float32Array(n * 2 * d * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) for (let s = 0; s < 2; s++) {
    const r = ((i * d + j) * 2 + s) * d;
    rows.set(cur.subarray(i * d, (i + 1) * d), r);
    rows[r + j] += s === 0 ? h : -h;
  }
  const z = tf.tensor(rows, [n * 2 * d, d]);
  const out = await model.predict(z);
  const targets = tf.tidy(() => probs(out).mul(oneHot.reshape([n, 1, k(oneHot)]).tile([1, 2 * d, 1]).reshape([n * 2 * d, k(oneHot)])).sum(-1).sub(1).square());
  const f = await targets.data();
  tf.dispose([z, out, targets]);
  const g = new Float32Array(n * d);
  for (let p = 0; p < n * d; p++) g[p] = (f[2 * p] - f[2 * p + 1]) / (2 * h);
  return g;
}

function k(t: tf.Tensor): number {
  return t.shape[1] as number;
}
