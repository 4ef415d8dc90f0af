/**
 * Mean attribution difference between groups: each feature's mean attribution (for the favourable
 * class) over every group's rows, and its disparity across the groups — Fairlearn's max − min or
 * AIF360's signed unprivileged − privileged — with seeded percentile-bootstrap intervals. For an
 * additive attribution of the score (SHAP, interventional), the signed difference of the group means
 * of feature j is feature j's share of the groups' mean-score gap (Lundberg 2020, "Explaining
 * quantitative measures of fairness"; disparity-shapley.ts gives the Shapley values of the gap
 * itself, also for thresholded decisions). The attributions come from any local method, batch by batch.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../core/attribution.js';
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { FairnessDisparity, FairnessExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { sortedQuantile } from '../core/percentile.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import type { FairnessConvention } from './disparities.js';
import { privilegedGroup } from './fairness-metrics.js';
import { modelOutcomes, type OutcomeOptions } from './model-outcomes.js';
import { sensitiveGroups, type SensitiveAttribute } from './sensitive-groups.js';

/** Options of groupAttributionDifference. */
export interface AttributionDifferenceOptions {
  readonly featureNames?: readonly string[];
  readonly convention?: FairnessConvention;
  readonly privileged?: string | number;
  /** Bootstrap resamples (rows with replacement) of the intervals (default 0: none; else ≥ 20). */
  readonly bootstrap?: number;
  readonly confidence?: number;
  readonly seed?: number;
}

/** Group means [feature][group] and per-feature gaps of rows `rows` (a resample, or all rows). */
function means(values: ArrayLike<number>, F: number, groups: Int32Array, G: number, rows: ArrayLike<number>, privileged: number | undefined): { table: number[][]; gaps: number[] } {
  const sum = Array.from({ length: F }, () => new Float64Array(G));
  const count = new Float64Array(G);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    count[groups[i]]++;
    for (let f = 0; f < F; f++) sum[f][groups[i]] += values[i * F + f];
  }
  const table = sum.map((s) => Array.from(s, (v, g) => (count[g] > 0 ? v / count[g] : NaN)));
  const gaps = sum.map((s, f) => {
    if (privileged !== undefined) {
      let u = 0, nu = 0;
      for (let g = 0; g < G; g++) if (g !== privileged) { u += s[g]; nu += count[g]; }
      return nu > 0 && count[privileged] > 0 ? u / nu - s[privileged] / count[privileged] : NaN;
    }
    const v = table[f].filter((x) => !Number.isNaN(x));
    return v.length >= 2 ? Math.max(...v) - Math.min(...v) : NaN;
  });
  return { table, gaps };
}

/**
 * A `'fairness'` table of attributions: `values[f][g]` is feature f's mean attribution over group g,
 * `disparities` one per feature (its name). `values` holds the attributions row-major, `features` per row.
 */
export function groupAttributionDifference(values: ArrayLike<number>, features: number, o: { readonly groups: Int32Array; readonly groupNames: readonly string[] }, options: AttributionDifferenceOptions = {}): FairnessExplanation {
  const fn = 'groupAttributionDifference';
  const N = o.groups.length;
  const { convention = 'fairlearn', bootstrap = 0, confidence = 0.95, seed = DEFAULT_SEED } = options;
  check(Number.isInteger(features) && features >= 1 && values.length === N * features, 'input', () => `${fn}: expected ${N} rows of ${features} attributions (${N * features} values); found ${values.length}`);
  check(o.groupNames.length >= 2, 'input', () => `${fn}: expected at least two groups; found ${o.groupNames.length}`);
  check(!options.featureNames || options.featureNames.length === features, 'input', () => `${fn}: expected ${features} feature names; found ${options.featureNames?.length}`);
  check(convention === 'fairlearn' || convention === 'aif360', 'option', () => `${fn}: convention must be 'fairlearn' or 'aif360'; found ${JSON.stringify(convention)}`);
  check(convention !== 'aif360' || options.privileged !== undefined, 'option', () => `${fn}: the 'aif360' convention needs privileged (a group name)`);
  check(Number.isInteger(bootstrap) && (bootstrap === 0 || bootstrap >= 20), 'option', () => `${fn}: bootstrap must be 0 or at least 20 resamples; found ${bootstrap}`);
  check(confidence > 0 && confidence < 1, 'option', () => `${fn}: confidence must be in (0, 1); found ${confidence}`);
  const G = o.groupNames.length;
  const privileged = convention === 'aif360' ? privilegedGroup(options.privileged, o.groupNames, fn) : undefined;
  const names = options.featureNames ? [...options.featureNames] : Array.from({ length: features }, (_, f) => `feature ${f}`);
  const all = Int32Array.from({ length: N }, (_, i) => i);
  const full = means(values, features, o.groups, G, all, privileged);
  let bounds: { table: [number, number][][]; gaps: [number, number][] } | undefined;
  if (bootstrap > 0) {
    const rng = new Rng(seed);
    const tableSamples = Array.from({ length: features * G }, () => new Float64Array(bootstrap));
    const gapSamples = Array.from({ length: features }, () => new Float64Array(bootstrap));
    const rows = new Int32Array(N);
    for (let b = 0; b < bootstrap; b++) {
      for (let i = 0; i < N; i++) rows[i] = rng.int(N);
      const r = means(values, features, o.groups, G, rows, privileged);
      r.table.forEach((row, f) => row.forEach((v, g) => (tableSamples[f * G + g][b] = v)));
      r.gaps.forEach((v, f) => (gapSamples[f][b] = v));
    }
    const interval = (s: Float64Array): [number, number] => {
      const ok = s.filter((v) => !Number.isNaN(v)).sort();
      return ok.length === 0 ? [NaN, NaN] : [sortedQuantile(ok, (1 - confidence) / 2), sortedQuantile(ok, (1 + confidence) / 2)];
    };
    bounds = {
      table: Array.from({ length: features }, (_, f) => Array.from({ length: G }, (_, g) => interval(tableSamples[f * G + g]))),
      gaps: gapSamples.map(interval),
    };
  }
  const disparities: FairnessDisparity[] = names.map((metric, f) => ({
    metric,
    value: full.gaps[f],
    kind: 'difference',
    ...(bounds ? { lower: bounds.gaps[f][0], upper: bounds.gaps[f][1] } : {}),
  }));
  return {
    kind: 'fairness',
    method: 'attribution-difference',
    metrics: names,
    groups: [...o.groupNames],
    values: full.table,
    ...(bounds ? { lower: bounds.table.map((r) => r.map((b) => b[0])), upper: bounds.table.map((r) => r.map((b) => b[1])) } : {}),
    disparities,
    convention,
    ...(privileged !== undefined ? { privileged: o.groupNames[privileged] } : {}),
    meta: { rows: N, quantity: 'mean attribution', ...(bootstrap > 0 ? { bootstrap: { resamples: bootstrap, confidence, seed, interval: 'percentile' } } : {}) },
  };
}

/** Options of attributionDisparity: the sensitive attribute, the outcome and the table's options. */
export interface AttributionDisparityOptions extends AttributionDifferenceOptions, OutcomeOptions {
  readonly sensitive: SensitiveAttribute;
}

/**
 * Runs `attribute` (a local method for the favourable class, e.g. KernelSHAP) over `data` in
 * batches and tabulates the group means of the attributions: groupAttributionDifference.
 */
export async function attributionDisparity(model: Model, data: Dataset, attribute: (x: tf.Tensor, positiveClass: number) => Promise<Attribution>, options: AttributionDisparityOptions): Promise<FairnessExplanation> {
  const fn = 'attributionDisparity';
  check(data.inputShape.length === 1, 'input', () => `${fn}: expected a tabular dataset (rows [features]); found input shape [${data.inputShape.join(', ')}]`);
  const o = await modelOutcomes(model, data, options, fn);
  const table = o.table as NonNullable<typeof o.table>;
  const g = sensitiveGroups(options.sensitive, data.size, table, fn);
  const F = table.columns;
  const values = new Float32Array(data.size * F);
  let filled = 0;
  let method = '';
  for await (const batch of data.batches(options.batchSize ?? 256)) {
    try {
      const a = await attribute(batch.x, o.positiveClass);
      try {
        method = a.method;
        const v = await a.values.data();
        check(v.length === batch.x.shape[0] * F, 'input', () => `${fn}: the attribution method returned ${v.length} values for ${batch.x.shape[0]} rows of ${F} features`);
        values.set(v, filled * F);
      } finally {
        a.dispose();
      }
      filled += batch.x.shape[0];
    } finally {
      batch.x.dispose();
      batch.y?.dispose();
    }
  }
  const e = groupAttributionDifference(values, F, { groups: g.groups, groupNames: g.names }, { ...options, ...(table.featureNames ? { featureNames: table.featureNames } : {}) });
  return { ...e, meta: { ...e.meta, attribution: method, sensitive: g.source, positiveClass: data.classNames?.[o.positiveClass] ?? o.positiveClass } };
}
