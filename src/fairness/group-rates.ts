/**
 * The per-group quantities of group fairness, from one group's tallies (group-counts.ts): counts,
 * rates of the confusion matrix, predictive values, accuracy and calibration. An undefined rate
 * (e.g. the true-positive rate of a group without positives) is NaN.
 */
import { COUNT, COUNT_FIELDS } from './group-counts.js';

/** The rows of a fairness table, in order: what each group's column holds. */
export const GROUP_METRICS = [
  'count',
  'selection rate',
  'base rate',
  'accuracy',
  'true positive rate',
  'false positive rate',
  'false negative rate',
  'true negative rate',
  'positive predictive value',
  'negative predictive value',
  'mean score',
  'expected calibration error',
  'TN',
  'FP',
  'FN',
  'TP',
] as const;

/** One of GROUP_METRICS. */
export type GroupMetric = (typeof GROUP_METRICS)[number];

/** The metrics that need true labels (or scores): left out when the data has none. */
export const LABEL_METRICS: readonly GroupMetric[] = ['base rate', 'accuracy', 'true positive rate', 'false positive rate', 'false negative rate', 'true negative rate', 'positive predictive value', 'negative predictive value', 'expected calibration error', 'TN', 'FP', 'FN', 'TP'];
export const SCORE_METRICS: readonly GroupMetric[] = ['mean score', 'expected calibration error'];

function ratio(a: number, b: number): number {
  return b > 0 ? a / b : NaN;
}

/**
 * Expected calibration error of one group (Naeini et al. 2015; Guo et al. 2017): Σ_b (n_b / n)
 * |mean label_b − mean score_b| over equal-width score bins.
 */
export function expectedCalibrationError(block: Float64Array, bins: number, offset = 0): number {
  let total = 0;
  let err = 0;
  for (let b = 0; b < bins; b++) {
    const k = offset + COUNT_FIELDS + 3 * b;
    const n = block[k];
    if (n === 0) continue;
    total += n;
    err += Math.abs(block[k + 2] - block[k + 1]);
  }
  return total > 0 ? err / total : NaN;
}

/** The value of `metric` for the group whose tallies start at `offset` of `block`. */
export function groupRate(metric: GroupMetric, block: Float64Array, bins: number, offset = 0): number {
  const c = (k: number): number => block[offset + k];
  const [n, sel, tp, fp, fn, tn] = [c(COUNT.n), c(COUNT.selected), c(COUNT.tp), c(COUNT.fp), c(COUNT.fn), c(COUNT.tn)];
  switch (metric) {
    case 'count': return n;
    case 'selection rate': return ratio(sel, n);
    case 'base rate': return ratio(tp + fn, n);
    case 'accuracy': return ratio(tp + tn, n);
    case 'true positive rate': return ratio(tp, tp + fn);
    case 'false positive rate': return ratio(fp, fp + tn);
    case 'false negative rate': return ratio(fn, tp + fn);
    case 'true negative rate': return ratio(tn, fp + tn);
    case 'positive predictive value': return ratio(tp, tp + fp);
    case 'negative predictive value': return ratio(tn, tn + fn);
    case 'mean score': return ratio(c(COUNT.scoreSum), n);
    case 'expected calibration error': return expectedCalibrationError(block, bins, offset);
    case 'TN': return tn;
    case 'FP': return fp;
    case 'FN': return fn;
    case 'TP': return tp;
  }
}
