import { check } from '../../core/errors.js';
import type { Rng } from '../../core/random.js';
import { sortedQuantile } from '../../core/percentile.js';

/** One feature's quartile bins, as LIME's QuartileDiscretizer computes them from training data. */
export interface FeatureBins {
  /** The distinct quartiles q1 ≤ q2 ≤ q3 (duplicates removed): value ≤ cuts[b] is bin b, above all is the last bin. */
  readonly cuts: readonly number[];
  /** Per bin: the training values' mean, standard deviation (+1e-11), lower and upper bound, and frequency. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  readonly frequency: readonly number[];
}

/** Per-feature statistics of tabular training data: quartile bins, and the mean and standard deviation. */
export interface TabularStatistics {
  readonly bins: readonly FeatureBins[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/**
 * Quartile discretisation statistics of `data` (`rows × cols`, row-major), as LIME's tabular
 * explainer (Ribeiro et al., 2016; lime's QuartileDiscretizer) keeps them: per feature the 25th,
 * 50th and 75th percentiles (linear interpolation, as numpy), and per bin the mean, standard
 * deviation, bounds (min, the quartiles, max) and frequency of the values in it; plus each feature's
 * mean and standard deviation (for sampling without discretisation).
 */
export function tabularStatistics(data: ArrayLike<number>, rows: number, cols: number): TabularStatistics {
  check(rows >= 2, 'input', () => `tabularStatistics: needs at least 2 rows of training data; found ${rows}`);
  const bins: FeatureBins[] = [];
  const mean: number[] = [];
  const std: number[] = [];
  for (let j = 0; j < cols; j++) {
    const col = Float64Array.from({ length: rows }, (_, i) => data[i * cols + j]);
    const sorted = col.slice().sort();
    const cuts = [...new Set([0.25, 0.5, 0.75].map((q) => sortedQuantile(sorted, q)))];
    const nb = cuts.length + 1;
    const sum = new Float64Array(nb);
    const sq = new Float64Array(nb);
    const count = new Float64Array(nb);
    for (const v of col) {
      const b = binOf(cuts, v);
      sum[b] += v;
      count[b]++;
    }
    const m = Array.from(sum, (s, b) => (count[b] ? s / count[b] : 0));
    for (const v of col) {
      const b = binOf(cuts, v);
      sq[b] += (v - m[b]) ** 2;
    }
    bins.push({
      cuts,
      mean: m,
      std: Array.from(sq, (s, b) => (count[b] ? Math.sqrt(s / count[b]) : 0) + 1e-11),
      lower: [sorted[0], ...cuts],
      upper: [...cuts, sorted[rows - 1]],
      frequency: Array.from(count, (c) => c / rows),
    });
    const mu = col.reduce((a, b) => a + b, 0) / rows;
    mean.push(mu);
    std.push(Math.sqrt(col.reduce((a, b) => a + (b - mu) ** 2, 0) / rows));
  }
  return { bins, mean, std };
}

/** The bin of `value`: the first cut ≥ value (numpy searchsorted, side 'left'). */
export function binOf(cuts: readonly number[], value: number): number {
  let b = 0;
  while (b < cuts.length && value > cuts[b]) b++;
  return b;
}

/**
 * One value drawn from a bin: a normal with the bin's mean and standard deviation truncated to its
 * bounds (lime's undiscretisation), by rejection; after 64 rejections, uniform within the bounds.
 */
export function sampleInBin(bins: FeatureBins, b: number, rng: Rng): number {
  const lo = bins.lower[b];
  const hi = bins.upper[b];
  if (!(hi > lo)) return lo;
  for (let t = 0; t < 64; t++) {
    const v = bins.mean[b] + bins.std[b] * rng.normal();
    if (v >= lo && v <= hi) return v;
  }
  return lo + (hi - lo) * rng.uniform();
}

