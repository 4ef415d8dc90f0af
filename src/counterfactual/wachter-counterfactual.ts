import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { AttackExplanation, JsonValue } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { argMax, outputGradient, predictProbabilities } from './output-gradient.js';
import { counterfactualTargets, featureChanges, tabularConstraints, type TabularConstraintOptions } from './tabular-constraints.js';
import { WeightSearch } from './weight-search.js';

/** Options of `wachterCounterfactual`. */
export interface WachterOptions extends TabularConstraintOptions {
  /** The class to reach: an index, or 'other' (default: the most probable class other than the prediction). */
  readonly target?: number | 'other';
  /** First weight λ of the prediction term (default 0.1, alibi's lam_init). */
  readonly lambdaInit?: number;
  /** Values of λ tried per row (default 10, alibi's max_lam_steps): ×10 until the target is reached, then bisected. */
  readonly lambdaSteps?: number;
  /** Proximal gradient steps per λ (default 300). */
  readonly steps?: number;
  readonly learningRate?: number;
  /** Changes below this many MADs are not listed as changed (default 1e-4). */
  readonly tolerance?: number;
}

/**
 * Wachter et al., Counterfactual Explanations without Opening the Black Box, 2018: for each row of
 * `x` `[N, d]`, minimise λ·(p_target(x′) − 1)² + Σ_j |x′_j − x_j| / MAD_j (MAD of `data`'s column)
 * by proximal gradient steps from x (the L1 term by soft-thresholding). λ is searched per row as the
 * paper's max over λ and alibi do: ×10 until the target class is reached, then bisected between the
 * largest λ that failed and the smallest that succeeded; the closest counterfactual that reaches the
 * target is kept. Immutable and categorical columns (the dataset's `kinds`) are held, each column
 * clipped to its range. All rows optimise together (one model call per step); gradients through the
 * model, or central differences (one batched call of N·2d rows per step) for black boxes. Returns
 * kind 'attack': counterfactuals with predictions, `norms` their MAD-scaled L1 distances,
 * `meta.changes` the changed features (before → after) per row, `meta.success`, `meta.lambda`.
 */
export async function wachterCounterfactual(model: Model, data: Dataset, x: tf.Tensor, options: WachterOptions = {}): Promise<AttackExplanation> {
  const fn = 'wachterCounterfactual';
  check(x.rank === 2 && data.inputShape.length === 1 && x.shape[1] === data.inputShape[0], 'shape', () => `${fn}: rows must be [N, ${data.inputShape[0]}] like the tabular dataset; found [${x.shape}]`);
  const [n, d] = x.shape;
  const lambdaSteps = options.lambdaSteps ?? 10;
  const steps = options.steps ?? 300;
  const lr = options.learningRate ?? 0.05;
  const lambda0 = options.lambdaInit ?? 0.1;
  check(Number.isInteger(steps) && steps >= 1 && Number.isInteger(lambdaSteps) && lambdaSteps >= 1, 'option', () => `${fn}: steps and lambdaSteps must be positive integers; found ${steps}, ${lambdaSteps}`);
  check(lr > 0 && lambda0 > 0, 'option', () => `${fn}: learningRate and lambdaInit must be > 0; found ${lr}, ${lambda0}`);
  const c = await tabularConstraints(data, fn, options);
  const frozen = c.frozen.map((f, j) => f || data.kinds?.[j] === 'categorical');
  const x0 = Float32Array.from(await x.data());
  const p0 = await predictProbabilities(model, x0, n, [d]);
  const { original, target } = counterfactualTargets(p0, options.target, fn);
  const k = p0[0].length;
  const targetHot = tf.tidy(() => tf.oneHot(tf.tensor1d(target, 'int32'), k).cast('float32'));
  const loss = (probs: tf.Tensor2D, origin: tf.Tensor1D): tf.Tensor1D => tf.tidy(() => probs.mul(tf.gather(targetHot, origin)).sum(-1).sub(1).square() as tf.Tensor1D);
  const search = new WeightSearch(n, lambda0);
  const found = Float32Array.from(x0);
  const bestDist = new Array<number>(n).fill(Number.POSITIVE_INFINITY);
  const bestLambda = new Array<number | null>(n).fill(null);
  const tried: number[][] = Array.from({ length: n }, () => []);
  let calls = 1;
  try {
    for (let s = 0; s < lambdaSteps; s++) {
      const lambda = [...search.weights];
      const cur = Float32Array.from(x0);
      for (let t = 0; t < steps; t++) {
        const grad = await outputGradient(model, cur, n, [d], loss);
        calls++;
        for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) {
          const p = i * d + j;
          if (frozen[j]) continue;
          const v = cur[p] - lr * lambda[i] * grad[p];
          const delta = v - x0[p];
          const shrunk = x0[p] + Math.sign(delta) * Math.max(0, Math.abs(delta) - lr / c.mad[j]);
          cur[p] = Math.min(c.ranges[j][1], Math.max(c.ranges[j][0], shrunk));
        }
      }
      const pred = (await predictProbabilities(model, cur, n, [d])).map(argMax);
      calls++;
      const { norms } = featureChanges(cur, x0, n, c);
      for (let i = 0; i < n; i++) {
        const ok = pred[i] === target[i];
        tried[i].push(lambda[i]);
        if (ok && norms[i] < bestDist[i]) {
          bestDist[i] = norms[i];
          bestLambda[i] = lambda[i];
          found.set(cur.subarray(i * d, (i + 1) * d), i * d);
        }
        search.update(i, ok);
      }
    }
  } finally {
    targetHot.dispose();
  }
  const predictions = (await predictProbabilities(model, found, n, [d])).map(argMax);
  const { norms, changed, changes } = featureChanges(found, x0, n, c, options.tolerance);
  return {
    kind: 'attack', method: 'wachter-counterfactual', shape: [d], inputs: Array.from(found), originalPredictions: original, predictions, norms,
    meta: {
      target, success: bestLambda.map((v) => v !== null), lambda: bestLambda, lambdasTried: tried, changed,
      changes: changes as unknown as JsonValue, featureNames: [...c.names], mad: [...c.mad], modelCalls: calls + 1,
    },
  };
}
