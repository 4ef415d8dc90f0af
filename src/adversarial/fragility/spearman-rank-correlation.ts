import { check } from '../../core/errors.js';
import { averageRanks, pearson } from '../../metrics/shared.js';

/**
 * Spearman's rank correlation of two maps: the Pearson correlation of their average ranks
 * (scipy.stats.spearmanr), the rank-order agreement Ghorbani et al. (2019) report beside top-k
 * intersection. NaN when either map is constant.
 */
export function spearmanRankCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  check(a.length === b.length && a.length > 1, 'input', () => `spearmanRankCorrelation: maps must have the same length ≥ 2; found ${a.length} and ${b.length}`);
  return pearson(averageRanks(a), averageRanks(b));
}
