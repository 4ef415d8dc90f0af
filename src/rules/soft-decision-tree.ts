/**
 * A soft decision tree (Frosst & Hinton 2017, "Distilling a neural network into a soft decision
 * tree"): a complete binary tree of `depth` whose inner node i sends a row right with probability
 * σ(x·wᵢ + bᵢ) and whose leaves hold class distributions softmax(φ_ℓ). Trained full-batch with Adam
 * on soft targets T to minimise the paper's loss, the expected cross-entropy over leaves,
 * −Σ_ℓ P_ℓ(x) Σ_k T_k log Q_ℓk (the paper's balancing penalty is left out). It predicts with the
 * leaf reached by following the more probable branch at every node (the paper's interpretable
 * prediction follows one path; it takes the leaf of the largest path probability). Seeded.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import { Rng } from '../core/random.js';

/** A trained soft tree: inner nodes in heap order (children of i: 2i+1 left, 2i+2 right). */
export interface SoftDecisionTree {
  readonly depth: number;
  readonly columns: number;
  readonly classes: number;
  /** `[inner][columns]` weights and `[inner]` biases of the gates. */
  readonly weights: readonly (readonly number[])[];
  readonly biases: readonly number[];
  /** `[leaves][classes]` leaf logits. */
  readonly leafLogits: readonly (readonly number[])[];
}

/** How the soft tree is trained. */
export interface SoftTreeTraining {
  readonly depth?: number;
  readonly epochs?: number;
  readonly learningRate?: number;
  readonly seed?: number;
}

/** Path probabilities `[N, leaves]` of rows `x` `[N, columns]` given the gates' parameters. */
function pathProbabilities(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.tidy(() => {
    const right = tf.sigmoid(x.matMul(w).add(b)) as tf.Tensor2D;
    const n = x.shape[0];
    let probs: tf.Tensor2D = tf.ones([n, 1]);
    for (let level = 0; level < depth; level++) {
      const s = right.slice([0, 2 ** level - 1], [n, 2 ** level]);
      probs = tf.stack([probs.mul(tf.sub(1, s)), probs.mul(s)], 2).reshape([n, 2 ** (level + 1)]) as tf.Tensor2D;
    }
    return probs;
  });
}

/** Trains a soft decision tree on rows `values` (row-major, `columns` each) and soft targets `[rows, classes]`. */
export async function trainSoftDecisionTree(values: Float32Array, targets: Float32Array, rows: number, columns: number, classes: number, options: SoftTreeTraining = {}): Promise<SoftDecisionTree> {
  const fn = 'trainSoftDecisionTree';
  const depth = options.depth ?? 3;
  const epochs = options.epochs ?? 300;
  const lr = options.learningRate ?? 0.05;
  check(Number.isInteger(depth) && depth >= 1 && depth <= 10, 'option', () => `${fn}: depth must be an integer in [1, 10]; found ${depth}`);
  check(Number.isInteger(epochs) && epochs >= 1, 'option', () => `${fn}: epochs must be a positive integer; found ${epochs}`);
  check(lr > 0 && Number.isFinite(lr), 'option', () => `${fn}: learningRate must be a positive number; found ${lr}`);
  check(targets.length === rows * classes && values.length === rows * columns, 'shape', () => `${fn}: expected ${rows} rows of ${columns} values and ${classes} targets`);
  const inner = 2 ** depth - 1;
  const leaves = 2 ** depth;
  const rng = new Rng(options.seed ?? 0);
  const init = [tf.tensor2d(rng.normals(columns * inner, 0, 0.1), [columns, inner]), tf.zeros([inner]), tf.tensor2d(rng.normals(leaves * classes, 0, 0.1), [leaves, classes])];
  const [w, b, phi] = init.map((t) => tf.variable(t));
  tf.dispose(init);
  const x = tf.tensor2d(values, [rows, columns]);
  const t = tf.tensor2d(targets, [rows, classes]);
  const optimizer = tf.train.adam(lr);
  try {
    for (let e = 0; e < epochs; e++) {
      const loss = optimizer.minimize(() => {
        const p = pathProbabilities(x, w as tf.Variable<tf.Rank.R2>, b as tf.Variable<tf.Rank.R1>, depth);
        const ce = t.matMul(tf.logSoftmax(phi), false, true).neg();
        return p.mul(ce).sum(1).mean() as tf.Scalar;
      }, true, [w, b, phi]);
      loss?.dispose();
      if (e % 50 === 49) await tf.nextFrame();
    }
    const [wd, bd, pd] = await Promise.all([w.array(), b.array(), phi.array()]);
    const weights = Array.from({ length: inner }, (_, i) => (wd as number[][]).map((row) => row[i]));
    return { depth, columns, classes, weights, biases: bd as number[], leafLogits: pd as number[][] };
  } finally {
    optimizer.dispose();
    tf.dispose([w, b, phi, x, t]);
  }
}

/** The class of each row: the argmax of the leaf reached by the more probable branch at every node. */
export function predictSoftTree(tree: SoftDecisionTree, values: Float32Array): Int32Array {
  const rows = values.length / tree.columns;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let node = 0;
    for (let level = 0; level < tree.depth; level++) {
      let z = tree.biases[node];
      for (let c = 0; c < tree.columns; c++) z += values[r * tree.columns + c] * tree.weights[node][c];
      node = 2 * node + (z > 0 ? 2 : 1);
    }
    const leaf = tree.leafLogits[node - (2 ** tree.depth - 1)];
    out[r] = leaf.indexOf(Math.max(...leaf));
  }
  return out;
}
