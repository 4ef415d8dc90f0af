/**
 * `fairnessReport(model, data, {sensitive, …})`: the group fairness table (fairness-metrics.ts)
 * of a classifier on a Dataset with a sensitive attribute — the model's decisions for the
 * favourable class, grouped by the attribute, with Fairlearn's or AIF360's disparities and
 * seeded bootstrap intervals.
 */
import type { Dataset } from '../core/dataset.js';
import type { FairnessExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { fairnessMetrics, type FairnessMetricsOptions } from './fairness-metrics.js';
import { modelOutcomes, type OutcomeOptions } from './model-outcomes.js';
import { sensitiveGroups, type SensitiveAttribute } from './sensitive-groups.js';

/** Options of fairnessReport: the sensitive attribute, the outcome and the table's options. */
export interface FairnessReportOptions extends FairnessMetricsOptions, OutcomeOptions {
  readonly sensitive: SensitiveAttribute;
}

/**
 * The fairness table of `model`'s decisions on `data` grouped by `sensitive` (Fairlearn
 * MetricFrame / AIF360 ClassificationMetric): rates per group, disparities, intervals.
 */
export async function fairnessReport(model: Model, data: Dataset, options: FairnessReportOptions): Promise<FairnessExplanation> {
  const fn = 'fairnessReport';
  const o = await modelOutcomes(model, data, options, fn);
  const g = sensitiveGroups(options.sensitive, data.size, o.table, fn);
  const e = fairnessMetrics({ groups: g.groups, groupNames: g.names, predicted: o.predicted, scores: o.scores, ...(o.labels ? { labels: o.labels } : {}) }, options);
  const positive = data.classNames?.[o.positiveClass] ?? o.positiveClass;
  return { ...e, meta: { ...e.meta, sensitive: g.source, positiveClass: positive, threshold: options.threshold ?? null, modelCalls: o.calls } };
}
