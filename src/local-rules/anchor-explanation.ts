import type { ExplanationRule, JsonValue, RulesExplanation, RuleCondition } from '../core/explanation.js';
import type { ResolvedAnchorOptions } from './anchor-options.js';
import type { AnchorSearchResult } from './anchor-beam.js';

/**
 * Anchors for several inputs as one `'rules'` explanation: rule i is input i's anchor (its
 * conditions → the predicted class), with its precision and coverage; `meta.anchors` keeps per
 * input the anchor's feature indices, precision lower bound, whether it met the threshold, and
 * the samples it took and the model calls they were part of (calls are shared between the inputs'
 * searches: `extra.modelCalls` gives the total made); `meta` also records the search's settings.
 */
export function anchorExplanation(method: string, found: readonly AnchorSearchResult[], conditions: (input: number, feature: number) => RuleCondition[], outcomes: readonly (number | string)[], o: ResolvedAnchorOptions, extra: { readonly [key: string]: JsonValue } = {}): RulesExplanation {
  const rules: ExplanationRule[] = found.map((a, i) => ({
    conditions: a.anchor.flatMap((f) => conditions(i, f)),
    outcome: outcomes[i],
    coverage: a.coverage,
    precision: a.precision,
  }));
  const anchors: JsonValue[] = found.map((a) => ({
    features: [...a.anchor],
    precisionLowerBound: a.precisionLowerBound,
    satisfied: a.satisfied,
    samples: a.samples,
    modelCalls: a.modelCalls,
  }));
  return {
    kind: 'rules',
    method,
    rules,
    meta: {
      anchors,
      threshold: o.threshold,
      delta: o.delta,
      tau: o.tau,
      epsilonStop: o.epsilonStop,
      samplesPerPull: o.samplesPerPull,
      coverageSamples: o.coverageSamples,
      beamSize: o.beamSize,
      seed: o.seed,
      modelCalls: found.reduce((s, a) => s + a.modelCalls, 0),
      ...extra,
    },
  };
}
