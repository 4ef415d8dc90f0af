/**
 * Quantiles with plotting positions, as `scipy.stats.mstats.mquantiles` computes them (Hyndman &
 * Fan 1996): with m = α + p(1 − α − β), aleph = n·p + m, k = ⌊clip(aleph, 1, n − 1)⌋ and
 * γ = clip(aleph − k, 0, 1), the p-quantile of the sorted values x is (1 − γ)·x[k−1] + γ·x[k].
 * scikit-learn's partial-dependence grid uses α = β = 0.4 (Cunnane), the default here.
 */
export function mquantiles(sorted: ArrayLike<number>, probs: readonly number[], alphap = 0.4, betap = 0.4): number[] {
  const n = sorted.length;
  if (n === 1) return probs.map(() => sorted[0]);
  return probs.map((p) => {
    const m = alphap + p * (1 - alphap - betap);
    const aleph = n * p + m;
    const k = Math.floor(Math.min(Math.max(aleph, 1), n - 1));
    const gamma = Math.min(Math.max(aleph - k, 0), 1);
    return (1 - gamma) * sorted[k - 1] + gamma * sorted[k];
  });
}
