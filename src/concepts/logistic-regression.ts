import { check } from '../core/errors.js';
import { minimizeLbfgs } from '../examples/lbfgs.js';
import type { ActivationMatrix } from './activation-matrix.js';

/** Options of `fitLogisticRegression`, named as scikit-learn's `LogisticRegression`. */
export interface LogisticRegressionOptions {
  /** Inverse regularisation strength: the objective is ½‖W‖² + C·Σᵢ loss (default 1). */
  readonly C?: number;
  /** Gradient-norm tolerance relative to the start's (default 1e-10). */
  readonly tolerance?: number;
  /** L-BFGS iterations at most (default 10,000). */
  readonly maxIterations?: number;
}

/** A fitted linear classifier: `coef` [classes × units] (one row for two classes), `intercept`. */
export interface LogisticRegressionModel {
  readonly classes: number[];
  readonly coef: number[][];
  readonly intercept: number[];
  readonly iterations: number;
}

/** Decision values Wx + b of each row: [rows × coef rows]. */
export function decisionFunction(model: LogisticRegressionModel, x: ActivationMatrix): Float64Array {
  const k = model.coef.length;
  check(model.coef[0].length === x.cols, 'shape', () => `decisionFunction: the classifier takes ${model.coef[0].length} units; found ${x.cols}`);
  const out = new Float64Array(x.rows * k);
  for (let i = 0; i < x.rows; i++) for (let c = 0; c < k; c++) {
    let s = model.intercept[c];
    const w = model.coef[c];
    for (let j = 0; j < x.cols; j++) s += w[j] * x.data[i * x.cols + j];
    out[i * k + c] = s;
  }
  return out;
}

/** The predicted class of each row. */
export function predictClasses(model: LogisticRegressionModel, x: ActivationMatrix): number[] {
  const d = decisionFunction(model, x);
  const k = model.coef.length;
  return Array.from({ length: x.rows }, (_, i) => {
    if (k === 1) return model.classes[d[i] > 0 ? 1 : 0];
    let best = 0;
    for (let c = 1; c < k; c++) if (d[i * k + c] > d[i * k + best]) best = c;
    return model.classes[best];
  });
}

/** The fraction of rows whose predicted class is their label. */
export function accuracy(model: LogisticRegressionModel, x: ActivationMatrix, labels: readonly number[]): number {
  const pred = predictClasses(model, x);
  return pred.reduce((s, p, i) => s + (p === labels[i] ? 1 : 0), 0) / labels.length;
}

/**
 * L2-regularised logistic regression as scikit-learn fits it (`penalty='l2'`, lbfgs): minimises
 * ½‖W‖²_F + C·Σᵢ CE(softmax(W aᵢ + b), yᵢ), intercept unpenalised — multinomial for three or more
 * classes, one binary logistic for two (coef of one row, class order sorted). Started at zero, so
 * the multinomial intercepts keep Σ_k b_k = 0 (as scikit-learn's do).
 */
export function fitLogisticRegression(x: ActivationMatrix, labels: readonly number[], options: LogisticRegressionOptions = {}): LogisticRegressionModel {
  check(labels.length === x.rows, 'shape', () => `fitLogisticRegression: expected one label per row (${x.rows}); found ${labels.length}`);
  const C = options.C ?? 1;
  check(C > 0 && Number.isFinite(C), 'option', () => `fitLogisticRegression: C must be a positive number; found ${C}`);
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  check(classes.length >= 2, 'input', () => `fitLogisticRegression: expected at least two classes among the labels; found ${classes.length} (${classes.join(', ')})`);
  const y = labels.map((l) => classes.indexOf(l));
  const d = x.cols;
  const k = classes.length === 2 ? 1 : classes.length;
  const width = d + 1;
  const objective = (theta: Float64Array): { value: number; gradient: Float64Array } => {
    const gradient = new Float64Array(theta.length);
    let value = 0;
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) {
      const w = theta[c * width + j];
      value += 0.5 * w * w;
      gradient[c * width + j] = w;
    }
    const z = new Float64Array(k);
    for (let i = 0; i < x.rows; i++) {
      const row = i * d;
      for (let c = 0; c < k; c++) {
        let s = theta[c * width + d];
        for (let j = 0; j < d; j++) s += theta[c * width + j] * x.data[row + j];
        z[c] = s;
      }
      if (k === 1) {
        // Binary: loss log(1 + exp(−s·z)), s = ±1.
        const s = y[i] === 1 ? 1 : -1;
        const m = -s * z[0];
        value += C * (m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m)));
        const g = C * -s / (1 + Math.exp(s * z[0]));
        for (let j = 0; j < d; j++) gradient[j] += g * x.data[row + j];
        gradient[d] += g;
        continue;
      }
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, z[c]);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(z[c] - max);
      value += C * (Math.log(sum) + max - z[y[i]]);
      for (let c = 0; c < k; c++) {
        const g = C * (Math.exp(z[c] - max) / sum - (c === y[i] ? 1 : 0));
        for (let j = 0; j < d; j++) gradient[c * width + j] += g * x.data[row + j];
        gradient[c * width + d] += g;
      }
    }
    return { value, gradient };
  };
  const result = minimizeLbfgs(objective, new Float64Array(k * width), { iterations: options.maxIterations ?? 10_000, tolerance: options.tolerance ?? 1e-10, memory: 20 });
  const theta = result.x;
  return {
    classes,
    coef: Array.from({ length: k }, (_, c) => Array.from(theta.subarray(c * width, c * width + d))),
    intercept: Array.from({ length: k }, (_, c) => theta[c * width + d]),
    iterations: result.iterations,
  };
}
