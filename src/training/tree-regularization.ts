/**
 * Tree regularisation (Wu, Hughes, Parbhoo, Zazzi, Roth & Doshi-Velez, "Beyond Sparsity: Tree
 * Regularization of Deep Models for Interpretability", AAAI 2018): a model is trained to be well
 * approximated by a small decision tree. The true cost — the average decision-path length (APL) of
 * a CART tree fitted to the model's predictions on the training inputs — is not differentiable, so
 * a surrogate MLP ĝ(W) ≈ APL(W) is trained on weight vectors from the optimisation trajectory (each
 * with seeded Gaussian perturbations, as the paper augments them) and λ · ĝ(W) is the penalty.
 * The surrogate is refitted after every `refreshEvery` epochs on all pairs gathered so far.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import { Rng } from '../core/random.js';
import { fitDecisionTree } from '../rules/decision-tree.js';
import type { DecisionTree } from '../rules/tree-arrays.js';
import type { TrainingPenalty } from './fit-classifier.js';

/** Options of `treeRegularization`. */
export interface TreeRegularizationOptions {
  /** The training inputs the trees are fitted on ([N, ...inputShape]; the caller owns it). */
  readonly x: tf.Tensor;
  /** λ, the weight of the surrogate APL against the mean cross-entropy (default 0.01). */
  readonly lambda?: number;
  /** Each leaf of a fitted tree keeps at least this many rows (default 5: the paper's regularised CART). */
  readonly minSamplesLeaf?: number;
  /** Perturbed copies of the weights added at each refresh (default 10). */
  readonly perturbations?: number;
  /** Standard deviation of a perturbation, relative to each weight tensor's RMS (default 0.1). */
  readonly noise?: number;
  /** Hidden units of the surrogate (default 25, the paper's). */
  readonly hidden?: number;
  /** Adam steps of each surrogate refit (default 200, learning rate 0.01). */
  readonly surrogateSteps?: number;
  /** Refit the surrogate after every this many epochs (default 1). */
  readonly refreshEvery?: number;
  readonly seed?: number;
}

/** The regulariser: its penalty and the epoch hook that refits the surrogate (pass both to fitClassifier). */
export interface TreeRegularizer {
  readonly penalty: TrainingPenalty;
  /** `fitClassifier(..., {onEpoch: reg.onEpoch})`: records the APL and refits the surrogate. */
  readonly onEpoch: (epoch: number, loss: number) => void;
  /** The true APL of the model after each refresh (the first before training). */
  readonly history: readonly number[];
  /** The surrogate's mean squared error (in APL units²) on its training pairs after each refit. */
  readonly surrogateError: readonly number[];
  /** Frees the surrogate. */
  dispose(): void;
}

/** The mean root-to-leaf depth of `tree` over its training rows. */
export function treeAveragePathLength(tree: DecisionTree): number {
  const depth = new Int32Array(tree.childrenLeft.length);
  let total = 0;
  for (let node = 0; node < depth.length; node++) {
    const l = tree.childrenLeft[node];
    if (l < 0) { total += depth[node] * tree.nodeSamples[node]; continue; }
    depth[l] = depth[node] + 1;
    depth[tree.childrenRight[node]] = depth[node] + 1;
  }
  return total / tree.nodeSamples[0];
}

/**
 * The APL of a CART tree (gini, `minSamplesLeaf`) fitted to `model`'s arg-max predictions on `x`
 * (flattened rows) — the quantity tree regularisation lowers.
 */
export function averagePathLength(model: tf.LayersModel, x: tf.Tensor, minSamplesLeaf = 5): number {
  const rows = x.shape[0];
  const columns = x.size / rows;
  const [values, labels] = tf.tidy(() => {
    const out = model.predict(x) as tf.Tensor;
    return [x.reshape([rows, columns]).dataSync() as Float32Array, out.argMax(-1).dataSync() as Int32Array];
  });
  const classes = model.outputs[0].shape[model.outputs[0].shape.length - 1] as number;
  return treeAveragePathLength(fitDecisionTree({ values: Float32Array.from(values), rows, columns, labels: Int32Array.from(labels), classes }, { minSamplesLeaf }));
}

/**
 * Builds the tree regulariser of `model` (Wu et al. 2018). Fits the first surrogate at once on the
 * initial weights and their perturbations; pass `penalty` and `onEpoch` to `fitClassifier`.
 *
 * @example
 * const reg = treeRegularization(model, { x, lambda: 0.01 });
 * await fitClassifier(model, x, y, { epochs: 20, penalty: reg.penalty, onEpoch: reg.onEpoch });
 * reg.dispose();
 */
export function treeRegularization(model: tf.LayersModel, options: TreeRegularizationOptions): TreeRegularizer {
  const fn = 'treeRegularization';
  const { x, lambda = 0.01, minSamplesLeaf = 5, perturbations = 10, noise = 0.1, hidden = 25, surrogateSteps = 200, refreshEvery = 1, seed = 7 } = options;
  check(x instanceof tf.Tensor && x.rank >= 2, 'input', () => `${fn}: x must be the training inputs [N, ...inputShape]`);
  check(Number.isFinite(lambda) && lambda >= 0, 'option', () => `${fn}: lambda must be a number ≥ 0; found ${lambda}`);
  for (const [name, v] of [['minSamplesLeaf', minSamplesLeaf], ['hidden', hidden], ['surrogateSteps', surrogateSteps], ['refreshEvery', refreshEvery]] as const) {
    check(Number.isInteger(v) && v >= 1, 'option', () => `${fn}: ${name} must be a positive integer; found ${v}`);
  }
  check(Number.isInteger(perturbations) && perturbations >= 0, 'option', () => `${fn}: perturbations must be an integer ≥ 0; found ${perturbations}`);
  check(Number.isFinite(noise) && noise >= 0, 'option', () => `${fn}: noise must be a number ≥ 0; found ${noise}`);
  const rng = new Rng(seed);
  const weights = model.trainableWeights;
  const P = weights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  const flatWeights = (): Float32Array => tf.tidy(() => tf.concat(weights.map((w) => w.read().reshape([-1]))).dataSync() as Float32Array);
  // The surrogate ĝ(W) = v · relu(U (W − μ) + b) + c, predicting (APL − m)/s; not trainable by the model's optimiser.
  const init = tf.initializers.glorotUniform({ seed });
  const U = tf.variable(init.apply([P, hidden]) as tf.Tensor2D, false);
  const b = tf.variable(tf.zeros([hidden]), false);
  const v = tf.variable(tf.initializers.glorotUniform({ seed: seed + 1 }).apply([hidden, 1]) as tf.Tensor2D, false);
  const c = tf.variable(tf.zeros([1]), false);
  const params = [U, b, v, c];
  let mu = tf.zeros([P]);
  let mean = 0;
  let scale = 1;
  const inputs: Float32Array[] = [];
  const targets: number[] = [];
  const history: number[] = [];
  const surrogateError: number[] = [];
  const surrogate = (w: tf.Tensor2D): tf.Tensor => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.sub(w, mu), U), b)), v), c);

  /** APL at the current weights and at perturbed copies; the weights are restored. */
  function gather(): void {
    const original = weights.map((w) => tf.clone(w.read()));
    try {
      for (let k = 0; k <= perturbations; k++) {
        if (k > 0) {
          tf.tidy(() => weights.forEach((w, i) => {
            const rms = Math.sqrt(tf.mean(tf.square(original[i])).dataSync()[0]) || 1;
            w.write(tf.add(original[i], tf.tensor(rng.normals(original[i].size, 0, noise * rms), original[i].shape)));
          }));
        }
        inputs.push(flatWeights());
        targets.push(averagePathLength(model, x, minSamplesLeaf));
        if (k === 0) history.push(targets[targets.length - 1]);
      }
    } finally {
      weights.forEach((w, i) => w.write(original[i]));
      tf.dispose(original);
    }
  }

  /** Refits the surrogate on every pair gathered so far (inputs and targets standardised). */
  function refit(): void {
    const n = targets.length;
    mean = targets.reduce((s, t) => s + t, 0) / n;
    scale = Math.sqrt(targets.reduce((s, t) => s + (t - mean) ** 2, 0) / n) || 1;
    const W = tf.tensor2d(inputs.reduce((all, w, i) => (all.set(w, i * P), all), new Float32Array(n * P)), [n, P]);
    const y = tf.tensor2d(targets.map((t) => (t - mean) / scale), [n, 1]);
    // Centred, not scaled: dividing by the spread of nearby weight vectors would blow the penalty's gradient up.
    mu.dispose();
    mu = tf.mean(W, 0);
    const opt = tf.train.adam(0.01);
    params.forEach((p) => (p.trainable = true));
    try {
      for (let s = 0; s < surrogateSteps; s++) {
        const loss = opt.minimize(() => tf.losses.meanSquaredError(y, surrogate(W)) as tf.Scalar, false, params);
        if (loss) loss.dispose();
      }
      surrogateError.push(tf.tidy(() => (tf.losses.meanSquaredError(y, surrogate(W)).dataSync()[0] as number) * scale * scale));
    } finally {
      params.forEach((p) => (p.trainable = false));
      opt.dispose();
      tf.dispose([W, y]);
    }
  }

  gather();
  refit();
  return {
    penalty: () => {
      const w = tf.reshape(tf.concat(weights.map((t) => t.read().reshape([-1]))), [1, P]) as tf.Tensor2D;
      return tf.mul(lambda, tf.add(tf.mul(surrogate(w), scale), mean)).reshape([]) as tf.Scalar;
    },
    onEpoch: (epoch) => {
      if (epoch % refreshEvery !== 0) return;
      gather();
      refit();
    },
    history,
    surrogateError,
    dispose: () => tf.dispose([...params, mu]),
  };
}
