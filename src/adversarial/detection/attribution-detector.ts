import { check } from '../../core/errors.js';
import type { ActivationMatrix } from '../../concepts/activation-matrix.js';
import { decisionFunction, fitLogisticRegression, type LogisticRegressionModel, type LogisticRegressionOptions } from '../../concepts/logistic-regression.js';
import { rocAuc } from '../../metrics/roc-auc.js';

/** A fitted detector: the features' standardisation and the logistic regression on them (1 = adversarial). */
export interface AttributionDetector {
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly logistic: LogisticRegressionModel;
}

function standardised(x: ActivationMatrix, mean: readonly number[], scale: readonly number[]): ActivationMatrix {
  const data = new Float64Array(x.data.length);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) data[i * x.cols + j] = (x.data[i * x.cols + j] - mean[j]) / scale[j];
  return { rows: x.rows, cols: x.cols, data };
}

function stack(a: ActivationMatrix, b: ActivationMatrix): ActivationMatrix {
  check(a.cols === b.cols, 'shape', () => `fitAttributionDetector: clean and adversarial features have ${a.cols} and ${b.cols} columns`);
  const data = new Float64Array((a.rows + b.rows) * a.cols);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return { rows: a.rows + b.rows, cols: a.cols, data };
}

/**
 * Fits the ML-LOO detector (Yang et al., AAAI 2020: a logistic regression on attribution
 * statistics) to features of clean (label 0) and adversarial (label 1) inputs: columns are
 * standardised on the training rows (constant columns keep scale 1), then an L2 logistic
 * regression (src/concepts/logistic-regression.ts, scikit-learn's objective; default C = 1).
 */
export function fitAttributionDetector(clean: ActivationMatrix, adversarial: ActivationMatrix, options: LogisticRegressionOptions = {}): AttributionDetector {
  check(clean.rows > 0 && adversarial.rows > 0, 'input', () => `fitAttributionDetector: expected clean and adversarial rows; found ${clean.rows} and ${adversarial.rows}`);
  const x = stack(clean, adversarial);
  const mean: number[] = [];
  const scale: number[] = [];
  for (let j = 0; j < x.cols; j++) {
    let m = 0;
    for (let i = 0; i < x.rows; i++) m += x.data[i * x.cols + j] / x.rows;
    let v = 0;
    for (let i = 0; i < x.rows; i++) v += (x.data[i * x.cols + j] - m) ** 2 / x.rows;
    mean.push(m);
    scale.push(v > 0 ? Math.sqrt(v) : 1);
  }
  const labels = [...new Array<number>(clean.rows).fill(0), ...new Array<number>(adversarial.rows).fill(1)];
  return { mean, scale, logistic: fitLogisticRegression(standardised(x, mean, scale), labels, options) };
}

/** The detector's decision value w·z + b of every row (higher: more likely adversarial). */
export function detectorScores(detector: AttributionDetector, features: ActivationMatrix): Float64Array {
  check(features.cols === detector.mean.length, 'shape', () => `detectorScores: expected ${detector.mean.length} feature columns; found ${features.cols}`);
  return decisionFunction(detector.logistic, standardised(features, detector.mean, detector.scale));
}

/** ROC AUC (rocAuc: Mann–Whitney, ties ½) of the detector on clean vs adversarial rows it was not fitted on. */
export function detectorAuc(detector: AttributionDetector, clean: ActivationMatrix, adversarial: ActivationMatrix): number {
  const scores = [...detectorScores(detector, clean), ...detectorScores(detector, adversarial)];
  return rocAuc(scores, [...new Array<number>(clean.rows).fill(0), ...new Array<number>(adversarial.rows).fill(1)]);
}
