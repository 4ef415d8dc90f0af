/**
 * Concept activation vectors (Kim et al. 2018, "Interpretability Beyond Feature Attribution:
 * Quantitative Testing with Concept Activation Vectors (TCAV)"): a linear classifier separates a
 * layer's activations of concept examples from those of random examples; the CAV is the unit normal
 * of its decision boundary, pointing towards the concept.
 */
import { check } from '../core/errors.js';
import { Rng } from '../core/random.js';
import type { ActivationMatrix } from './activation-matrix.js';
import { selectRows, stratifiedSplit } from './linear-probe.js';
import { accuracy, fitLogisticRegression, type LogisticRegressionModel } from './logistic-regression.js';
import { fitLinearSvm } from './linear-svm.js';
import { fromRowSpace, rowSpace } from './row-space.js';

/** The linear classifier of a CAV: L2 logistic regression (scikit-learn's) or a linear SVM (LinearSVC's primal). */
export type CavClassifier = 'logistic' | 'svm';

/** Options of `trainCav`. */
export interface CavOptions {
  readonly classifier?: CavClassifier;
  /** Inverse L2 strength of the classifier (default 1). */
  readonly C?: number;
  /** Share of each side held out to score the classifier (default 0.33, as the original's train_test_split). */
  readonly testFraction?: number;
  /** Seed of the balancing draw and the split (default 0). */
  readonly seed?: number;
}

/** A CAV: the unit direction, the classifier's held-out accuracy and the sizes it was trained on. */
export interface Cav {
  /** Unit vector in the layer's flattened activation space, towards the concept. */
  readonly direction: Float64Array;
  /** Accuracy on the held-out concept and random rows. */
  readonly accuracy: number;
  readonly trainRows: number;
  readonly testRows: number;
  readonly classifier: CavClassifier;
}

/** `n` rows of `m` drawn without replacement by `rng`, in ascending order (all of them when n ≥ rows). */
function drawRows(m: ActivationMatrix, n: number, rng: Rng): ActivationMatrix {
  if (n >= m.rows) return m;
  const perm = rng.permutation(m.rows);
  return selectRows(m, Array.from(perm.subarray(0, n)).sort((a, b) => a - b));
}

/**
 * Trains a CAV on `concept` vs `random` activations (same layer). As the original does, the two
 * sides are balanced first (the larger one subsampled, seeded, to the smaller one's size), then split
 * stratified into training and held-out rows; the classifier's held-out accuracy is reported so a
 * CAV no better than chance can be told apart. Label 1 = concept, so the classifier's weight row is
 * the direction towards the concept.
 */
export function trainCav(concept: ActivationMatrix, random: ActivationMatrix, options: CavOptions = {}): Cav {
  check(concept.cols === random.cols, 'shape', () => `trainCav: concept and random activations must come from the same layer; found ${concept.cols} and ${random.cols} units`);
  check(concept.rows >= 2 && random.rows >= 2, 'input', () => `trainCav: each side needs at least 2 examples; found ${concept.rows} concept and ${random.rows} random`);
  const classifier = options.classifier ?? 'logistic';
  check(classifier === 'logistic' || classifier === 'svm', 'option', () => `trainCav: classifier must be 'logistic' or 'svm'; found '${String(classifier)}'`);
  const rng = new Rng(options.seed ?? 0);
  const n = Math.min(concept.rows, random.rows);
  const c = drawRows(concept, n, rng);
  const r = drawRows(random, n, rng);
  const all: ActivationMatrix = { rows: 2 * n, cols: c.cols, data: new Float64Array(2 * n * c.cols) };
  all.data.set(c.data, 0);
  all.data.set(r.data, n * c.cols);
  const labels = Array.from({ length: 2 * n }, (_, i) => (i < n ? 1 : 0));
  const split = stratifiedSplit(labels, options.testFraction ?? 0.33, rng.nextUint32());
  const train = selectRows(all, split.train);
  const test = selectRows(all, split.heldout);
  const trainLabels = split.train.map((i) => labels[i]);
  const testLabels = split.heldout.map((i) => labels[i]);
  // More units than rows: solve the same problem exactly in the training rows' span (row-space.ts).
  const reduced = train.cols > train.rows ? rowSpace(train) : null;
  const fit = (m: ActivationMatrix): LogisticRegressionModel => classifier === 'svm'
    ? fitLinearSvm(m, trainLabels, { C: options.C })
    : fitLogisticRegression(m, trainLabels, { C: options.C });
  const small = fit(reduced ? reduced.z : train);
  const model: LogisticRegressionModel = reduced ? { ...small, coef: [fromRowSpace(reduced.v, small.coef[0], train.cols)] } : small;
  const w = model.coef[0];
  let norm = 0;
  for (const v of w) norm += v * v;
  norm = Math.sqrt(norm);
  check(norm > 0, 'numeric', () => `trainCav: the ${classifier} classifier's weights are all zero (the concept and random activations are not separable by any direction)`);
  return { direction: Float64Array.from(w, (v) => v / norm), accuracy: accuracy(model, test, testLabels), trainRows: train.rows, testRows: test.rows, classifier };
}
