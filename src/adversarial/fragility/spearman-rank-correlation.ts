import { check } from '../../core/errors.js';

/** Ranks 1…n with ties given their average rank (as scipy.stats.rankdata). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/**
 * Spearman's rank correlation of two maps: the Pearson correlation of their average ranks
 * (scipy.stats.spearmanr), the rank-order agreement Ghorbani et al. (2019) report beside top-k
 * intersection. NaN when either map is constant.
 */
export function spearmanRankCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  check(a.length === b.length && a.length > 1, 'input', () => `spearmanRankCorrelation: maps must have the same length ≥ 2; found ${a.length} and ${b.length}`);
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const n = a.length;
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = ra[i] - mean;
    const db = rb[i] - mean;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? Number.NaN : sab / Math.sqrt(saa * sbb);
}
