/**
 * The axiom table: which method claims which axiom, with the options under which it holds and the
 * tolerance it holds to, relative to max(1, |f(x) − f(x′)|). A method absent from an axiom's list
 * does not claim it; `COUNTEREXAMPLES` shows, for the tempting ones, a toy model where it fails.
 */
import type { MethodOptions } from '../../src/core/method-info.js';

/** One method's claim of one axiom. */
export interface Claim {
  readonly method: string;
  /** Options beyond the table's shared ones (target, zero baseline, seed). */
  readonly options?: MethodOptions;
  /** Largest allowed violation, relative to max(1, |f(x) − f(x′)|). */
  readonly tolerance: number;
  /** Why the tolerance is not float rounding, where it is not. */
  readonly why?: string;
}

/**
 * Completeness (efficiency): Σ attribution = f(x) − f(x′), on the smooth tanh MLP of
 * test/toy-models.ts. Every registry entry with `completeness: true` has a row.
 */
export const COMPLETENESS: readonly Claim[] = [
  { method: 'integrated-gradients', options: { steps: 64, rule: 'gauss-legendre' }, tolerance: 1e-5 },
  { method: 'gradient-shap', options: { samples: 256, stdev: 0 }, tolerance: 0.03, why: 'holds in expectation: a Monte-Carlo estimate of IG over α, error ~ 1/√samples (0.008 measured at 256)' },
  { method: 'deeplift', options: { rule: 'rescale' }, tolerance: 1e-5 },
  { method: 'deeplift-shap', options: { rule: 'rescale' }, tolerance: 1e-5 },
  { method: 'layer-conductance', options: { layer: 'fc1', steps: 128, rule: 'riemann-trapezoid' }, tolerance: 2e-3, why: 'quadrature error of 128 trapezoid steps (9.5e-4 measured)' },
  { method: 'shapley-values', tolerance: 1e-5 },
  { method: 'shapley-value-sampling', options: { samples: 16 }, tolerance: 1e-5, why: 'efficient for every ordering, so exact at any sample count' },
  { method: 'kernel-shap', options: { samples: 64 }, tolerance: 1e-5 },
];

/**
 * Conservation on a bias-free ReLU network (f(0) = 0): LRP's ε-rule redistributes f(x) exactly;
 * with biases it does not (see COUNTEREXAMPLES), which is why its registry entry says
 * `completeness: false`. DeepLIFT's rescale rule sums to the difference on ReLU networks with biases too.
 */
export const CONSERVATION: readonly (Claim & { readonly bias: boolean })[] = [
  { method: 'lrp', options: { rule: 'epsilon', epsilon: 1e-9 }, bias: false, tolerance: 1e-5 },
  { method: 'lrp', options: { composite: 'epsilon-plus' }, bias: false, tolerance: 1e-5 },
  { method: 'deeplift', options: { rule: 'rescale' }, bias: true, tolerance: 1e-5 },
  { method: 'integrated-gradients', options: { steps: 256, rule: 'gauss-legendre' }, bias: true, tolerance: 2e-3, why: 'the ReLU kinks make the integrand piecewise smooth: quadrature error (1e-3 of |Δf| measured)' },
];

/**
 * Symmetry: features 0 and 1 have identical weights and equal values in x and x′, so they get equal
 * attributions. Gradient and Shapley methods satisfy it for every symmetric (differentiable) function.
 */
export const SYMMETRY: readonly Claim[] = [
  { method: 'integrated-gradients', options: { steps: 32 }, tolerance: 1e-6 },
  { method: 'gradient-shap', options: { samples: 16, stdev: 0 }, tolerance: 1e-6 },
  { method: 'shapley-values', tolerance: 1e-6 },
  { method: 'kernel-shap', options: { samples: 64 }, tolerance: 1e-5, why: '64 ≥ 2^4 − 2 coalitions: the exact fit, up to the solver' },
  { method: 'shapley-value-sampling', options: { samples: 1024 }, tolerance: 0.02, why: 'holds in expectation: Monte-Carlo error ~ 1/√samples (0.011 of |Δf| measured at 1024)' },
];

/**
 * Structural symmetry: the same check, for methods that give equal attributions only when the
 * network itself treats the two features alike (identical weights, as in `symmetricDummyNet`), not
 * for every symmetric function (see COUNTEREXAMPLES: `maxNet` on its diagonal).
 */
export const STRUCTURAL_SYMMETRY: readonly Claim[] = [
  { method: 'deeplift', tolerance: 1e-6 },
  { method: 'deeplift-shap', tolerance: 1e-6 },
  { method: 'lrp', options: { rule: 'epsilon' }, tolerance: 1e-6 },
];

/** Dummy: feature 3 has zero weights, so the model ignores it and it gets exactly zero. */
export const DUMMY: readonly Claim[] = [
  { method: 'saliency', tolerance: 1e-7 },
  { method: 'input-x-gradient', tolerance: 1e-7 },
  { method: 'integrated-gradients', options: { steps: 32 }, tolerance: 1e-7 },
  { method: 'gradient-shap', options: { samples: 16, stdev: 0.3 }, tolerance: 1e-7 },
  { method: 'smoothgrad', options: { samples: 8, stdev: 0.3 }, tolerance: 1e-7 },
  { method: 'deeplift', tolerance: 1e-7 },
  { method: 'deeplift-shap', tolerance: 1e-7 },
  { method: 'lrp', tolerance: 1e-7 },
  { method: 'occlusion', options: { window: [1] }, tolerance: 1e-7 },
  { method: 'feature-ablation', tolerance: 1e-7 },
  { method: 'feature-permutation', options: { samples: 4 }, tolerance: 1e-7 },
  { method: 'shapley-values', tolerance: 1e-7 },
  { method: 'shapley-value-sampling', options: { samples: 16 }, tolerance: 1e-7 },
  { method: 'kernel-shap', options: { samples: 64 }, tolerance: 1e-5, why: 'the exact weighted least-squares fit, up to the solver' },
];

/**
 * Implementation invariance: `maxNet('first')` and `maxNet('second')` compute the same function
 * with different weights and hidden units; a method that only sees the function (its values or its
 * gradient) gives both the same attribution. Seeded methods get the same seed.
 */
export const IMPLEMENTATION_INVARIANCE: readonly Claim[] = [
  { method: 'saliency', tolerance: 1e-6 },
  { method: 'input-x-gradient', tolerance: 1e-6 },
  { method: 'integrated-gradients', options: { steps: 32 }, tolerance: 1e-6 },
  { method: 'interior-gradients', tolerance: 1e-6 },
  { method: 'gradient-shap', options: { samples: 16, stdev: 0.1 }, tolerance: 1e-6 },
  { method: 'smoothgrad', options: { samples: 8, stdev: 0.3 }, tolerance: 1e-6 },
  { method: 'occlusion', options: { window: [1] }, tolerance: 1e-6 },
  { method: 'feature-ablation', tolerance: 1e-6 },
  { method: 'feature-permutation', options: { samples: 4 }, tolerance: 1e-6 },
  { method: 'shapley-values', tolerance: 1e-6 },
  { method: 'shapley-value-sampling', options: { samples: 16 }, tolerance: 1e-6 },
  { method: 'kernel-shap', options: { samples: 16 }, tolerance: 1e-5 },
  { method: 'lime', options: { samples: 200 }, tolerance: 1e-5 },
];

/** An axiom a method does not claim, and the toy model on which it visibly fails it. */
export interface Counterexample {
  readonly method: string;
  readonly axiom: 'completeness' | 'symmetry' | 'dummy' | 'implementation invariance';
  readonly options?: MethodOptions;
  /** 'max': `maxNet('first')` at points x₁ = x₂ (a symmetric function); default `symmetricDummyNet`. */
  readonly model?: 'max';
  /** The violation is at least this, relative to max(1, |f(x) − f(x′)|). */
  readonly atLeast: number;
  readonly why: string;
}

/** Tempting claims that do not hold in general: each is shown to fail, so none is claimed above. */
export const COUNTEREXAMPLES: readonly Counterexample[] = [
  { method: 'deeplift', axiom: 'implementation invariance', atLeast: 0.1, why: 'multipliers of discrete differences do not obey the chain rule: (2, 0) vs (1.5, 0.5) at x = (3, 2)' },
  { method: 'deeplift', axiom: 'symmetry', model: 'max', atLeast: 0.5, why: 'max(x₁, x₂, 1) is symmetric, but its first network routes x = (3, 3) through h1: (2, 0)' },
  { method: 'deeplift-shap', axiom: 'implementation invariance', atLeast: 0.1, why: 'DeepLIFT averaged over baselines inherits it' },
  { method: 'lrp', axiom: 'completeness', options: { rule: 'epsilon', epsilon: 1e-9 }, atLeast: 0.05, why: 'biases absorb relevance' },
  { method: 'lime', axiom: 'dummy', options: { samples: 200 }, atLeast: 1e-3, why: 'a ridge fit on sampled perturbations gives the ignored feature a nonzero coefficient' },
];
