/**
 * `thresholdTradeoffReport(model, data, {sensitive, constraint, …})`: Hardt et al.'s (2016)
 * threshold post-processing of a classifier's score for the favourable class, fitted on a labelled
 * Dataset grouped by a sensitive attribute — the accuracy–disparity trade-off curve
 * (fairness-tradeoff.ts) with the model's own decisions as a point and the exact rules in `meta`.
 */
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { CurveExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { thresholdTradeoff, type TradeoffOptions } from './fairness-tradeoff.js';
import { modelOutcomes, type OutcomeOptions } from './model-outcomes.js';
import { sensitiveGroups, type SensitiveAttribute } from './sensitive-groups.js';

/** Options of thresholdTradeoffReport. */
export interface ThresholdReportOptions extends OutcomeOptions, Omit<TradeoffOptions, 'predicted'> {
  readonly sensitive: SensitiveAttribute;
}

/** The trade-off curve of post-processing `model`'s scores on `data` (which needs labels). */
export async function thresholdTradeoffReport(model: Model, data: Dataset, options: ThresholdReportOptions): Promise<CurveExplanation> {
  const fn = 'thresholdTradeoffReport';
  const o = await modelOutcomes(model, data, options, fn);
  check(o.labels !== undefined, 'input', () => `${fn}: post-processing is fitted on true outcomes: the dataset needs labels`);
  const g = sensitiveGroups(options.sensitive, data.size, o.table, fn);
  const c = thresholdTradeoff({ groups: g.groups, groupNames: g.names, labels: o.labels as Uint8Array, scores: o.scores }, { ...options, predicted: o.predicted });
  return { ...c, meta: { ...c.meta, sensitive: g.source, positiveClass: data.classNames?.[o.positiveClass] ?? o.positiveClass, modelCalls: o.calls } };
}
