import { check } from '../core/errors.js';
import { Rng } from '../core/random.js';
import type { ActivationMatrix } from './activation-matrix.js';
import { accuracy, fitLogisticRegression, type LogisticRegressionModel } from './logistic-regression.js';

/** One layer's probe: the classifier and its accuracies. */
export interface LinearProbeResult {
  readonly layer: string;
  readonly probe: LogisticRegressionModel;
  readonly trainAccuracy: number;
  readonly heldoutAccuracy: number;
  readonly heldoutRows: number;
}

/** Rows of a matrix, in the given order. */
export function selectRows(m: ActivationMatrix, rows: readonly number[]): ActivationMatrix {
  const data = new Float64Array(rows.length * m.cols);
  rows.forEach((r, i) => data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
  return { rows: rows.length, cols: m.cols, data };
}

/**
 * A seeded stratified split: within each class, a shuffled `fraction` of its rows (at least one
 * when the class has two or more) goes to the held-out part, the rest to training.
 */
export function stratifiedSplit(labels: readonly number[], fraction: number, seed: number): { train: number[]; heldout: number[] } {
  check(fraction > 0 && fraction < 1, 'option', () => `stratifiedSplit: the held-out fraction must lie in (0, 1); found ${fraction}`);
  const rng = new Rng(seed);
  const train: number[] = [];
  const heldout: number[] = [];
  for (const c of [...new Set(labels)].sort((a, b) => a - b)) {
    const rows = labels.flatMap((l, i) => (l === c ? [i] : []));
    const order = rng.permutation(rows.length);
    const nHeld = rows.length >= 2 ? Math.max(1, Math.round(fraction * rows.length)) : 0;
    order.forEach((o, k) => (k < nHeld ? heldout : train).push(rows[o]));
  }
  return { train: train.sort((a, b) => a - b), heldout: heldout.sort((a, b) => a - b) };
}

/**
 * Linear probes (Alain & Bengio 2016, "Understanding intermediate layers using linear classifier
 * probes"): an L2 logistic regression per layer fitted on the training rows' activations, scored by
 * accuracy on held-out rows — how linearly decodable the labels are at each depth.
 */
export function linearProbes(names: readonly string[], acts: readonly ActivationMatrix[], labels: readonly number[], options: { readonly C?: number; readonly heldoutFraction?: number; readonly seed?: number; readonly heldout?: { readonly acts: readonly ActivationMatrix[]; readonly labels: readonly number[] } } = {}): LinearProbeResult[] {
  check(names.length === acts.length, 'shape', () => `linearProbes: expected one activation matrix per layer name (${names.length}); found ${acts.length}`);
  const given = options.heldout;
  const split = given ? null : stratifiedSplit(labels, options.heldoutFraction ?? 0.3, options.seed ?? 0);
  const trainLabels = split ? split.train.map((i) => labels[i]) : labels;
  const heldLabels = split ? split.heldout.map((i) => labels[i]) : (given?.labels ?? []);
  return names.map((layer, l) => {
    const train = split ? selectRows(acts[l], split.train) : acts[l];
    const held = split ? selectRows(acts[l], split.heldout) : (given as { acts: readonly ActivationMatrix[] }).acts[l];
    const probe = fitLogisticRegression(train, trainLabels, { C: options.C });
    return { layer, probe, trainAccuracy: accuracy(probe, train, trainLabels), heldoutAccuracy: accuracy(probe, held, heldLabels), heldoutRows: held.rows };
  });
}
