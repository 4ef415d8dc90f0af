/**
 * Node impurities of a classification tree from weighted class counts, as scikit-learn's `Gini`
 * and `Entropy` criteria compute them (entropy in bits: sklearn's `log` is base 2).
 */

/** The impurity criteria a CART tree can use. */
export type Criterion = 'gini' | 'entropy';

/** The impurity of a node whose weighted class counts are `counts[offset … offset + k)`, of total weight `total`. */
export function nodeImpurity(criterion: Criterion, counts: ArrayLike<number>, offset: number, k: number, total: number): number {
  if (!(total > 0)) return 0;
  if (criterion === 'gini') {
    let sq = 0;
    for (let c = 0; c < k; c++) sq += counts[offset + c] * counts[offset + c];
    return 1 - sq / (total * total);
  }
  let h = 0;
  for (let c = 0; c < k; c++) {
    const p = counts[offset + c] / total;
    if (p > 0) h -= p * Math.log2(p);
  }
  return h;
}
