import type { AttributionMeta } from '../../core/attribution.js';
import type { CoalitionEvaluator, CoalitionOptions } from './coalition-evaluator.js';

/**
 * The `meta` every coalition method reports: the value of each feature (`featureValues`, per
 * example), the original label of each feature (`featureLabels`), v(∅) (`baseValue`) and v(F)
 * (`fullValue`), the efficiency gap Σφ − (v(F) − v(∅)) as `delta`, the model calls, and the feature
 * names when given (tabular columns), plus each method's own facts (`extra`).
 */
export function surrogateMeta(
  game: CoalitionEvaluator,
  phi: readonly Float64Array[],
  baseValue: readonly number[],
  fullValue: readonly number[],
  options: CoalitionOptions,
  extra: Readonly<Record<string, unknown>> = {},
): AttributionMeta {
  const delta = phi.map((p, e) => p.reduce((a, b) => a + b, 0) - (fullValue[e] - baseValue[e]));
  return {
    delta,
    baseValue,
    fullValue,
    featureValues: phi.map((p) => Array.from(p)),
    featureLabels: game.labels,
    ...(options.featureNames ? { featureNames: [...options.featureNames] } : {}),
    modelCalls: game.modelCalls(),
    ...extra,
  };
}
