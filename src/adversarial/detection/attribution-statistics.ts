import { check } from '../../core/errors.js';
import { sortedQuantile } from '../../core/percentile.js';

/** The statistics of one attribution map that the detector reads, in this order. */
export const ATTRIBUTION_STATISTICS = ['iqr', 'std', 'top-share'] as const;
export type AttributionStatistic = (typeof ATTRIBUTION_STATISTICS)[number];

/**
 * Dispersion statistics of each row of attribution maps `values` (rows × per, row-major):
 * `iqr` — the interquartile range Q₃ − Q₁ of the attributions, ML-LOO's statistic (Yang, Chen,
 * Hsieh, Wang & Jordan, "ML-LOO: Detecting Adversarial Examples with Feature Attribution", AAAI
 * 2020: adversarial inputs have more dispersed attributions); `std` — their standard deviation;
 * `top-share` — the share of Σ|a| held by the 5 % largest |a| (at least one value), a
 * concentration measure. Returns rows × 3 values in the order of ATTRIBUTION_STATISTICS.
 */
export function attributionStatistics(values: ArrayLike<number>, rows: number, per: number): Float64Array {
  check(Number.isInteger(rows) && Number.isInteger(per) && rows >= 0 && per >= 1 && values.length === rows * per, 'shape', () =>
    `attributionStatistics: expected ${rows} rows × ${per} values; found ${values.length}`);
  const k = ATTRIBUTION_STATISTICS.length;
  const out = new Float64Array(rows * k);
  const top = Math.max(1, Math.round(0.05 * per));
  for (let r = 0; r < rows; r++) {
    const row = Float64Array.from({ length: per }, (_, i) => values[r * per + i]);
    check(row.every(Number.isFinite), 'numeric', () => `attributionStatistics: row ${r} holds a non-finite attribution`);
    const sorted = Float64Array.from(row).sort();
    let mean = 0;
    for (const v of row) mean += v / per;
    let variance = 0;
    for (const v of row) variance += (v - mean) ** 2 / per;
    const mags = row.map(Math.abs).sort().reverse();
    let total = 0;
    let head = 0;
    mags.forEach((m, i) => {
      total += m;
      if (i < top) head += m;
    });
    out[r * k] = sortedQuantile(sorted, 0.75) - sortedQuantile(sorted, 0.25);
    out[r * k + 1] = Math.sqrt(variance);
    out[r * k + 2] = total > 0 ? head / total : 0;
  }
  return out;
}
