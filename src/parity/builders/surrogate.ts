/** Parity builders of the surrogate family: Captum's ShapleyValues → Lumen's exact Shapley values. */
import type { CaseBuilder } from '../case.js';
import { baselineOf, targetOf } from './gradient.js';

/** Captum's surrogate-family classes (each scalar a feature; a number or recorded baseline) → Lumen methods. */
export const SURROGATE_BUILDERS: Readonly<Record<string, CaseBuilder>> = {
  'captum.attr.ShapleyValues': (_e, kw, fx) => {
    if (kw.feature_mask !== null && kw.feature_mask !== undefined) return null;
    const batch = kw.perturbations_per_eval;
    return {
      method: 'shapley-values',
      options: { target: targetOf(kw), baseline: baselineOf(kw, fx), enumerate: 'permutations', ...(typeof batch === 'number' && batch > 1 ? { batchSize: batch } : {}) },
    };
  },
};
