/**
 * A disparity of soft decisions: each row's decision is a probability d_i ∈ [0, 1] (a randomised
 * decision, or a decision averaged over background values as in disparity-shapley.ts), and the
 * group rates are their expectations — selection rate mean(d), TPR Σ_{y=1} d / #positives, FPR,
 * accuracy Σ (y d + (1 − y)(1 − d)) / n, mean score. With 0/1 decisions these are the rates of
 * group-rates.ts. Compared by Fairlearn's max − min over the groups or AIF360's signed
 * unprivileged − privileged (disparities.ts).
 */
import { check } from '../core/errors.js';
import type { Comparison } from './disparities.js';

/** The disparities a soft decision has, in order. */
export const SOFT_DISPARITIES = [
  'demographic parity difference',
  'equal opportunity difference',
  'false positive rate difference',
  'equalised odds difference',
  'average odds difference',
  'accuracy difference',
  'mean score difference',
] as const;

/** One of SOFT_DISPARITIES. */
export type SoftDisparity = (typeof SOFT_DISPARITIES)[number];

/** Whether a disparity needs true labels. */
export function needsLabels(m: SoftDisparity): boolean {
  return m !== 'demographic parity difference' && m !== 'mean score difference';
}

type Rate = 'selection' | 'tpr' | 'fpr' | 'accuracy';

/** The rate of the rows `member(i)` (NaN without a denominator). */
function rate(r: Rate, d: ArrayLike<number>, labels: ArrayLike<number> | undefined, member: (i: number) => boolean): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < d.length; i++) {
    if (!member(i)) continue;
    const y = labels ? labels[i] : 0;
    if (r === 'selection') { num += d[i]; den++; }
    else if (r === 'accuracy') { num += y ? d[i] : 1 - d[i]; den++; }
    else if ((r === 'tpr') === (y === 1)) { num += d[i]; den++; }
  }
  return den > 0 ? num / den : NaN;
}

function compare(r: Rate, d: ArrayLike<number>, labels: ArrayLike<number> | undefined, groups: Int32Array, count: number, cmp: Comparison): number {
  if (cmp.convention === 'aif360') {
    const p = cmp.privileged as number;
    return rate(r, d, labels, (i) => groups[i] !== p) - rate(r, d, labels, (i) => groups[i] === p);
  }
  const v = Array.from({ length: count }, (_, g) => rate(r, d, labels, (i) => groups[i] === g)).filter((x) => !Number.isNaN(x));
  return v.length >= 2 ? Math.max(...v) - Math.min(...v) : NaN;
}

/**
 * The disparity `metric` of soft decisions `d` (for 'mean score difference', `d` holds the scores)
 * over `groups` (ids in [0, count)). Labels are required by every metric but demographic parity
 * and mean score.
 */
export function softDisparity(metric: SoftDisparity, d: ArrayLike<number>, groups: Int32Array, count: number, labels: ArrayLike<number> | undefined, cmp: Comparison): number {
  check(!needsLabels(metric) || labels !== undefined, 'input', () => `softDisparity: '${metric}' needs true labels; the data has none`);
  const c = (r: Rate): number => compare(r, d, labels, groups, count, cmp);
  switch (metric) {
    case 'demographic parity difference':
    case 'mean score difference': return c('selection');
    case 'equal opportunity difference': return c('tpr');
    case 'false positive rate difference': return c('fpr');
    case 'equalised odds difference': {
      const t = c('tpr');
      const f = c('fpr');
      return cmp.convention === 'aif360' ? Math.max(Math.abs(t), Math.abs(f)) : Math.max(t, f);
    }
    case 'average odds difference': return (c('tpr') + c('fpr')) / 2;
    case 'accuracy difference': return c('accuracy');
  }
}
