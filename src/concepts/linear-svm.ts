import { check } from '../core/errors.js';
import { minimizeLbfgs } from '../examples/lbfgs.js';
import type { ActivationMatrix } from './activation-matrix.js';
import type { LogisticRegressionModel } from './logistic-regression.js';

/** Options of `fitLinearSvm`, named as scikit-learn's `LinearSVC`. */
export interface LinearSvmOptions {
  /** Inverse regularisation strength (default 1). */
  readonly C?: number;
  /** Gradient-norm tolerance relative to the start's (default 1e-10). */
  readonly tolerance?: number;
  /** L-BFGS iterations at most (default 10,000). */
  readonly maxIterations?: number;
}

/**
 * A binary linear support vector machine (Cortes & Vapnik 1995) with the primal objective of
 * scikit-learn's default `LinearSVC` (liblinear; Fan et al. 2008): L2 penalty, squared hinge loss,
 * the intercept fitted as the weight of a constant feature 1 and penalised with the others
 * (`intercept_scaling=1`):  ½(‖w‖² + b²) + C·Σᵢ max(0, 1 − sᵢ(w·xᵢ + b))², sᵢ = ±1. The objective is
 * once differentiable and strictly convex, so L-BFGS (src/examples/lbfgs.ts) reaches the optimum
 * liblinear's dual coordinate descent converges to. Labels are two classes; the model has one row,
 * positive for the larger class, as scikit-learn's.
 */
export function fitLinearSvm(x: ActivationMatrix, labels: readonly number[], options: LinearSvmOptions = {}): LogisticRegressionModel {
  check(labels.length === x.rows, 'shape', () => `fitLinearSvm: expected one label per row (${x.rows}); found ${labels.length}`);
  const C = options.C ?? 1;
  check(C > 0 && Number.isFinite(C), 'option', () => `fitLinearSvm: C must be a positive number; found ${C}`);
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  check(classes.length === 2, 'input', () => `fitLinearSvm: expected exactly two classes among the labels; found ${classes.length} (${classes.join(', ')})`);
  const s = labels.map((l) => (l === classes[1] ? 1 : -1));
  const d = x.cols;
  const objective = (theta: Float64Array): { value: number; gradient: Float64Array } => {
    const gradient = Float64Array.from(theta);
    let value = 0;
    for (let j = 0; j <= d; j++) value += 0.5 * theta[j] * theta[j];
    for (let i = 0; i < x.rows; i++) {
      const row = i * d;
      let z = theta[d];
      for (let j = 0; j < d; j++) z += theta[j] * x.data[row + j];
      const margin = 1 - s[i] * z;
      if (margin <= 0) continue;
      value += C * margin * margin;
      const g = -2 * C * margin * s[i];
      for (let j = 0; j < d; j++) gradient[j] += g * x.data[row + j];
      gradient[d] += g;
    }
    return { value, gradient };
  };
  const result = minimizeLbfgs(objective, new Float64Array(d + 1), { iterations: options.maxIterations ?? 10_000, tolerance: options.tolerance ?? 1e-10, memory: 20 });
  return { classes, coef: [Array.from(result.x.subarray(0, d))], intercept: [result.x[d]], iterations: result.iterations };
}
