import * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { outputKindOf } from '../core/model.js';

/**
 * A per-row loss of the model's class probabilities: `probs` `[m, k]` are the model's outputs on m
 * rows, `origin[r]` the explained row (index into the batch being optimised) row r perturbs.
 * Returns the loss per row `[m]`.
 */
export type OutputLoss = (probs: tf.Tensor2D, origin: tf.Tensor1D) => tf.Tensor1D;

/** The model's outputs as class probabilities (a softmax of logits; probabilities as they are). */
export function classProbabilities(model: Model, out: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => (outputKindOf(model) === 'probabilities' ? out : tf.softmax(out)).reshape([out.shape[0], -1]) as tf.Tensor2D);
}

/**
 * ∂ Σ_i loss_i / ∂x at `cur` (n rows of `shape`, flattened): through the model when it is
 * differentiable, else by central differences with step `h` in one batched call of n·2d rows (the
 * numerical gradients alibi uses for black boxes). Returns the gradient, flattened like `cur`.
 */
export async function outputGradient(model: Model, cur: Float32Array, n: number, shape: readonly number[], loss: OutputLoss, h = 1e-3): Promise<Float32Array> {
  const d = shape.reduce((a, b) => a * b, 1);
  if (model.differentiable) {
    const g = tf.tidy(() => {
      const origin = tf.range(0, n, 1, 'int32') as tf.Tensor1D;
      return tf.grad((z: tf.Tensor) => loss(classProbabilities(model, model.run(z).output), origin).sum())(tf.tensor(cur, [n, ...shape]));
    });
    const v = Float32Array.from(await g.data());
    g.dispose();
    return v;
  }
  const rows = new Float32Array(n * 2 * d * d);
  const origin = new Int32Array(n * 2 * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) for (let s = 0; s < 2; s++) {
    const r = (i * d + j) * 2 + s;
    rows.set(cur.subarray(i * d, (i + 1) * d), r * d);
    rows[r * d + j] += s === 0 ? h : -h;
    origin[r] = i;
  }
  const z = tf.tensor(rows, [n * 2 * d, ...shape]);
  const out = await model.predict(z);
  const f = tf.tidy(() => loss(classProbabilities(model, out), tf.tensor1d(origin, 'int32')));
  const values = await f.data();
  tf.dispose([z, out, f]);
  const g = new Float32Array(n * d);
  for (let p = 0; p < n * d; p++) g[p] = (values[2 * p] - values[2 * p + 1]) / (2 * h);
  return g;
}

/** The model's class probabilities on n rows of `shape` (one batched call), as arrays. */
export async function predictProbabilities(model: Model, rows: Float32Array, n: number, shape: readonly number[]): Promise<number[][]> {
  const z = tf.tensor(rows, [n, ...shape]);
  const out = await model.predict(z);
  const p = classProbabilities(model, out);
  const v = (await p.array()) as number[][];
  tf.dispose([z, out, p]);
  return v;
}

/** Index of the largest value. */
export function argMax(v: readonly number[]): number {
  let best = 0;
  for (let c = 1; c < v.length; c++) if (v[c] > v[best]) best = c;
  return best;
}
