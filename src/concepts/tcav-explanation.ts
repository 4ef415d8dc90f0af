import type { ConceptsExplanation } from '../core/explanation.js';
import type { TcavResult } from './tcav.js';

/**
 * A TCAV result (Kim et al. 2018) as the 'concepts' Explanation: one score per concept (the mean
 * TCAV score over runs, its p-value after the correction), and in `meta` the per-concept spread,
 * magnitudes, CAV accuracies, raw p-values, significance and the random-vs-random runs.
 */
export function tcavExplanation(r: TcavResult, classLabel?: string): ConceptsExplanation {
  const cls = classLabel ?? r.class;
  return {
    kind: 'concepts',
    method: 'tcav',
    scores: r.concepts.map((c) => ({ concept: c.concept, score: c.mean, class: cls, layer: r.layer, pValue: c.pValueCorrected })),
    meta: {
      layer: r.layer, class: r.class, classExamples: r.classExamples, runs: r.runs, randomSetSize: r.randomSetSize,
      classifier: r.classifier, correction: r.correction, alpha: r.alpha,
      std: r.concepts.map((c) => c.std),
      magnitude: r.concepts.map((c) => c.magnitudeMean),
      magnitudeStd: r.concepts.map((c) => c.magnitudeStd),
      magnitudePValue: r.concepts.map((c) => c.magnitudePValue),
      cavAccuracy: r.concepts.map((c) => c.cavAccuracyMean),
      pValueUncorrected: r.concepts.map((c) => c.pValue),
      tStatistic: r.concepts.map((c) => (Number.isFinite(c.tStatistic) ? c.tStatistic : null)),
      significant: r.concepts.map((c) => c.significant),
      runScores: r.concepts.map((c) => [...c.scores]),
      randomScores: [...r.random.scores],
      randomMean: r.random.mean,
      randomStd: r.random.std,
      randomCavAccuracy: r.random.cavAccuracies.reduce((s, v) => s + v, 0) / r.random.cavAccuracies.length,
    },
  };
}
