import { check } from '../core/errors.js';
import { averageRanks } from './shared.js';

/**
 * Area under the ROC curve of `scores` as a detector of the rows with `labels` 1 (0 the others),
 * exactly, by the Mann–Whitney U statistic (Mann & Whitney 1947; Hanley & McNeil, "The meaning and
 * use of the area under a ROC curve", 1982): AUC = (R₊ − n₊(n₊ + 1)/2) / (n₊ n₀) with R₊ the sum of
 * the positives' mid-ranks, i.e. P(s₊ > s₀) + ½ P(s₊ = s₀) — ties count ½, as the trapezoidal area
 * under the ROC curve of scikit-learn's `roc_auc_score` does. NaN when a class is absent.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number {
  check(scores.length === labels.length, 'shape', () => `rocAuc: expected one label per score (${scores.length}); found ${labels.length}`);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    const l = Number(labels[i]);
    check(Number.isFinite(s), 'numeric', () => `rocAuc: scores must be finite; found ${s} at ${i}`);
    check(l === 0 || l === 1, 'input', () => `rocAuc: labels must be 0/1 or booleans; found ${String(labels[i])} at ${i}`);
  }
  const ranks = averageRanks(scores);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < ranks.length; i++) {
    if (Number(labels[i]) === 1) {
      pos++;
      rankSum += ranks[i];
    }
  }
  const neg = ranks.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
