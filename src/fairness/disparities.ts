/**
 * Between-group disparities under the two conventions users meet:
 * - `'fairlearn'` (Fairlearn's `*_difference` / `*_ratio`): max − min over the groups (≥ 0) and
 *   min / max (≤ 1); groups where the rate is undefined are skipped;
 * - `'aif360'` (AIF360's `ClassificationMetric`): signed unprivileged − privileged and
 *   unprivileged / privileged, the unprivileged rows being every row outside the privileged group.
 * Definitions: Fairlearn `demographic_parity_difference/ratio`, `equalized_odds_difference/ratio`,
 * `equal_opportunity_difference`; AIF360 `statistical_parity_difference`, `disparate_impact`,
 * `equal_opportunity_difference`, `average_odds_difference`, `equalized_odds_difference`.
 */
import { blockSize, pooledBlock } from './group-counts.js';
import { groupRate, type GroupMetric } from './group-rates.js';

/** How a disparity compares the groups. */
export type FairnessConvention = 'fairlearn' | 'aif360';

/** The disparities of a fairness table, in order. */
export const DISPARITY_METRICS = [
  'demographic parity difference',
  'demographic parity ratio',
  'disparate impact',
  'equal opportunity difference',
  'equalised odds difference',
  'equalised odds ratio',
  'average odds difference',
  'predictive parity difference',
  'accuracy difference',
  'calibration difference',
] as const;

/** One of DISPARITY_METRICS. */
export type DisparityMetric = (typeof DISPARITY_METRICS)[number];

/** Which disparities need labels (all but the demographic-parity family). */
export const LABEL_DISPARITIES: readonly DisparityMetric[] = DISPARITY_METRICS.slice(3);

/** The comparison: the convention and, for AIF360, the privileged group's id. */
export interface Comparison {
  readonly convention: FairnessConvention;
  readonly privileged?: number;
}

/** A rate compared across groups: [difference, ratio] under the convention. */
function compare(metric: GroupMetric, counts: Float64Array, groups: number, bins: number, cmp: Comparison): [number, number] {
  const size = blockSize(bins);
  if (cmp.convention === 'aif360') {
    const p = cmp.privileged as number;
    const others = Array.from({ length: groups }, (_, g) => g).filter((g) => g !== p);
    const u = groupRate(metric, pooledBlock(counts, size, others), bins);
    const v = groupRate(metric, counts, bins, p * size);
    return [u - v, v !== 0 ? u / v : NaN];
  }
  let lo = Infinity;
  let hi = -Infinity;
  let defined = 0;
  for (let g = 0; g < groups; g++) {
    const r = groupRate(metric, counts, bins, g * size);
    if (Number.isNaN(r)) continue;
    defined++;
    lo = Math.min(lo, r);
    hi = Math.max(hi, r);
  }
  if (defined < 2) return [NaN, NaN];
  return [hi - lo, hi !== 0 ? lo / hi : NaN];
}

/** The value of one disparity from the groups' tallies. */
export function disparity(metric: DisparityMetric, counts: Float64Array, groups: number, bins: number, cmp: Comparison): number {
  const d = (m: GroupMetric): [number, number] => compare(m, counts, groups, bins, cmp);
  const aif = cmp.convention === 'aif360';
  switch (metric) {
    case 'demographic parity difference': return d('selection rate')[0];
    case 'demographic parity ratio':
    case 'disparate impact': return d('selection rate')[1];
    case 'equal opportunity difference': return d('true positive rate')[0];
    case 'equalised odds difference': {
      const t = d('true positive rate')[0];
      const f = d('false positive rate')[0];
      return aif ? Math.max(Math.abs(t), Math.abs(f)) : Math.max(t, f);
    }
    case 'equalised odds ratio': return Math.min(d('true positive rate')[1], d('false positive rate')[1]);
    case 'average odds difference': return (d('true positive rate')[0] + d('false positive rate')[0]) / 2;
    case 'predictive parity difference': return d('positive predictive value')[0];
    case 'accuracy difference': return d('accuracy')[0];
    case 'calibration difference': return d('expected calibration error')[0];
  }
}
