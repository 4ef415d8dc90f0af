/**
 * The group fairness table of a binary decision on grouped rows (no model needed): per group, the
 * confusion matrix, its rates, predictive values, accuracy and calibration error; across groups,
 * demographic parity (difference, ratio), disparate impact, equal opportunity, equalised odds,
 * average odds, predictive parity, accuracy and calibration disparities under the Fairlearn or
 * AIF360 convention (disparities.ts); with seeded percentile-bootstrap confidence intervals
 * (Efron & Tibshirani 1993) over rows resampled with replacement, as Fairlearn's MetricFrame
 * `n_boot` does. Papers: Feldman et al. 2015 (disparate impact), Hardt et al. 2016 (equalised odds,
 * equal opportunity), Chouldechova 2017 (predictive parity), Pleiss et al. 2017 (calibration).
 */
import { check } from '../core/errors.js';
import type { FairnessDisparity, FairnessExplanation } from '../core/explanation.js';
import { sortedQuantile } from '../core/percentile.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import { DISPARITY_METRICS, disparity, LABEL_DISPARITIES, type Comparison, type DisparityMetric, type FairnessConvention } from './disparities.js';
import { blockSize, groupCounts, type GroupedOutcomes } from './group-counts.js';
import { GROUP_METRICS, groupRate, LABEL_METRICS, SCORE_METRICS, type GroupMetric } from './group-rates.js';

/** Options of fairnessMetrics (and of fairnessReport). */
export interface FairnessMetricsOptions {
  /** `'fairlearn'` (default): max − min and min / max over groups; `'aif360'`: unprivileged − privileged, unprivileged / privileged. */
  readonly convention?: FairnessConvention;
  /** The privileged group (its name or id); required by the `'aif360'` convention. */
  readonly privileged?: string | number;
  /** Bootstrap resamples for the confidence intervals (default 0: none). */
  readonly bootstrap?: number;
  /** Confidence level of the intervals (default 0.95). */
  readonly confidence?: number;
  readonly seed?: number;
  /** Equal-width score bins of the calibration error (default 10). */
  readonly bins?: number;
  /** The method id written in the explanation (default 'group-fairness'). */
  readonly method?: string;
}

/** Resolves the privileged group to an id; a name or id not among the groups is a LumenError. */
export function privilegedGroup(privileged: string | number | undefined, names: readonly string[], fn: string): number | undefined {
  if (privileged === undefined) return undefined;
  const id = typeof privileged === 'number' ? privileged : names.indexOf(String(privileged));
  check(Number.isInteger(id) && id >= 0 && id < names.length, 'option', () => `${fn}: privileged must be one of the groups ${names.map((n) => `'${n}'`).join(', ')} (or an id in [0, ${names.length - 1}]); found ${JSON.stringify(privileged)}`);
  return id;
}

function checkOutcomes(o: GroupedOutcomes, fn: string): void {
  const n = o.groups.length;
  check(n > 0, 'input', () => `${fn}: expected at least one row; found none`);
  check(o.groupNames.length >= 2, 'input', () => `${fn}: expected at least two groups; found ${o.groupNames.length} (${o.groupNames.join(', ')})`);
  check(o.predicted.length === n, 'input', () => `${fn}: expected a decision per row (${n}); found ${o.predicted.length}`);
  check(!o.labels || o.labels.length === n, 'input', () => `${fn}: expected a label per row (${n}); found ${o.labels?.length}`);
  check(!o.scores || o.scores.length === n, 'input', () => `${fn}: expected a score per row (${n}); found ${o.scores?.length}`);
  for (let i = 0; i < n; i++) {
    check(Number.isInteger(o.groups[i]) && o.groups[i] >= 0 && o.groups[i] < o.groupNames.length, 'input', () => `${fn}: row ${i}: group id must be in [0, ${o.groupNames.length - 1}]; found ${o.groups[i]}`);
    check(o.predicted[i] <= 1 && (!o.labels || o.labels[i] <= 1), 'input', () => `${fn}: row ${i}: decisions and labels must be 0 or 1; found ${o.predicted[i]}, ${o.labels?.[i]}`);
    check(!o.scores || (o.scores[i] >= 0 && o.scores[i] <= 1), 'input', () => `${fn}: row ${i}: scores must be probabilities in [0, 1]; found ${o.scores?.[i]}`);
  }
}

function checkOptions(options: FairnessMetricsOptions, fn: string): void {
  const { convention = 'fairlearn', bootstrap = 0, confidence = 0.95, bins = 10 } = options;
  check(convention === 'fairlearn' || convention === 'aif360', 'option', () => `${fn}: convention must be 'fairlearn' or 'aif360'; found ${JSON.stringify(convention)}`);
  check(convention !== 'aif360' || options.privileged !== undefined, 'option', () => `${fn}: the 'aif360' convention compares unprivileged with privileged rows: give privileged (a group name); found none`);
  check(Number.isInteger(bootstrap) && bootstrap >= 0, 'option', () => `${fn}: bootstrap must be a whole number of resamples ≥ 0; found ${bootstrap}`);
  check(bootstrap === 0 || bootstrap >= 20, 'option', () => `${fn}: bootstrap needs at least 20 resamples for an interval; found ${bootstrap}`);
  check(confidence > 0 && confidence < 1, 'option', () => `${fn}: confidence must be in (0, 1); found ${confidence}`);
  check(Number.isInteger(bins) && bins >= 1, 'option', () => `${fn}: bins must be a positive integer; found ${bins}`);
}

/** Every value of the table and the disparities from one set of tallies. */
function evaluate(counts: Float64Array, metrics: readonly GroupMetric[], disparities: readonly DisparityMetric[], groups: number, bins: number, cmp: Comparison): { table: number[][]; gaps: number[] } {
  const size = blockSize(bins);
  return {
    table: metrics.map((m) => Array.from({ length: groups }, (_, g) => groupRate(m, counts, bins, g * size))),
    gaps: disparities.map((d) => disparity(d, counts, groups, bins, cmp)),
  };
}

function interval(samples: Float64Array, confidence: number): [number, number] {
  const ok = samples.filter((v) => !Number.isNaN(v)).sort();
  if (ok.length === 0) return [NaN, NaN];
  return [sortedQuantile(ok, (1 - confidence) / 2), sortedQuantile(ok, (1 + confidence) / 2)];
}

/**
 * The fairness table of `o`: `values[i][j]` is metric i on group j (GROUP_METRICS; the label and
 * score metrics only when `o` has labels and scores), `disparities` under the chosen convention,
 * and with `bootstrap` > 0 the percentile intervals `lower`/`upper` of both. NaN marks an undefined
 * rate (JSON: null). Same seed, same intervals.
 */
export function fairnessMetrics(o: GroupedOutcomes, options: FairnessMetricsOptions = {}): FairnessExplanation {
  const fn = 'fairnessMetrics';
  checkOutcomes(o, fn);
  checkOptions(options, fn);
  const { convention = 'fairlearn', bootstrap = 0, confidence = 0.95, bins = 10, seed = DEFAULT_SEED } = options;
  const G = o.groupNames.length;
  const privileged = privilegedGroup(options.privileged, o.groupNames, fn);
  const cmp: Comparison = { convention, ...(privileged !== undefined ? { privileged } : {}) };
  const metrics = GROUP_METRICS.filter((m) => (o.labels || !LABEL_METRICS.includes(m)) && (o.scores || !SCORE_METRICS.includes(m)));
  const names = DISPARITY_METRICS.filter((d) => (o.labels || !LABEL_DISPARITIES.includes(d)) && (o.scores || d !== 'calibration difference'));
  const full = evaluate(groupCounts(o, bins), metrics, names, G, bins, cmp);
  const ratio = (d: string): boolean => d.endsWith('ratio') || d === 'disparate impact';
  let lower: number[][] | undefined;
  let upper: number[][] | undefined;
  let gapBounds: [number, number][] | undefined;
  if (bootstrap > 0) {
    const rng = new Rng(seed);
    const N = o.groups.length;
    const cells = metrics.length * G;
    const samples = Array.from({ length: cells + names.length }, () => new Float64Array(bootstrap));
    const rows = new Int32Array(N);
    for (let b = 0; b < bootstrap; b++) {
      for (let i = 0; i < N; i++) rows[i] = rng.int(N);
      const r = evaluate(groupCounts(o, bins, rows), metrics, names, G, bins, cmp);
      r.table.forEach((row, i) => row.forEach((v, j) => (samples[i * G + j][b] = v)));
      r.gaps.forEach((v, k) => (samples[cells + k][b] = v));
    }
    const bounds = samples.map((s) => interval(s, confidence));
    lower = metrics.map((_, i) => Array.from({ length: G }, (_, j) => bounds[i * G + j][0]));
    upper = metrics.map((_, i) => Array.from({ length: G }, (_, j) => bounds[i * G + j][1]));
    gapBounds = names.map((_, k) => bounds[cells + k]);
  }
  const disparities: FairnessDisparity[] = names.map((metric, k) => ({
    metric,
    value: full.gaps[k],
    kind: ratio(metric) ? 'ratio' : 'difference',
    ...(gapBounds ? { lower: gapBounds[k][0], upper: gapBounds[k][1] } : {}),
  }));
  return {
    kind: 'fairness',
    method: options.method ?? 'group-fairness',
    metrics,
    groups: [...o.groupNames],
    values: full.table,
    convention,
    ...(privileged !== undefined ? { privileged: o.groupNames[privileged] } : {}),
    disparities,
    ...(lower && upper ? { lower, upper } : {}),
    meta: {
      rows: o.groups.length,
      calibrationBins: bins,
      ...(bootstrap > 0 ? { bootstrap: { resamples: bootstrap, confidence, seed, interval: 'percentile' } } : {}),
    },
  };
}
