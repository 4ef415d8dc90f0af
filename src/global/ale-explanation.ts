import type { CurveExplanation, CurveRecord } from '../core/explanation.js';
import type { AccumulatedLocalEffects } from './accumulated-local-effects.js';

/**
 * ALE as a `'curve'` explanation: one curve per feature and output (label `ALE <feature>, <output>`),
 * x the feature's grid; `meta` keeps the centring constants, interval counts, grid notes and the
 * mean response.
 */
export function aleExplanation(ale: AccumulatedLocalEffects, classNames?: readonly string[]): CurveExplanation {
  const K = ale.outputs.length;
  const curves: CurveRecord[] = ale.curves.flatMap((c) =>
    ale.outputs.map((output, k) => ({
      label: `ALE ${c.featureName}, ${classNames?.[output] ?? `output ${output}`}`,
      feature: c.featureName,
      x: c.grid,
      y: c.grid.map((_, g) => c.ale[g * K + k]),
    })),
  );
  return {
    kind: 'curve',
    method: 'ale',
    xLabel: ale.curves.length === 1 ? ale.curves[0].featureName : 'feature value',
    yLabel: 'accumulated local effect',
    curves,
    meta: {
      outputs: [...ale.outputs],
      constantValue: ale.constantValue,
      modelCalls: ale.calls,
      features: ale.curves.map((c) => ({ feature: c.featureName, ale0: [...c.ale0], counts: [...c.counts], notes: [...c.notes] })),
    },
  };
}
