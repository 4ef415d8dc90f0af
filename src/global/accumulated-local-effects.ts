import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { adaptiveAleGrid, aleIntervals, customAleGrid } from './ale-grid.js';
import { CURVE_BATCH, modelResponses, type CurveOptions } from './model-responses.js';
import { uniqueSorted } from './numpy-percentile.js';
import { featureIndices, tableColumn, tabularRows } from './tabular-rows.js';

/** Options of `accumulatedLocalEffects`. */
export interface AccumulatedLocalEffectsOptions extends CurveOptions {
  /** The features to explain (indices or names; default every column). */
  readonly features?: readonly (number | string)[];
  /** An adaptive grid's bins each hold more than this many rows (default 4, alibi's). */
  readonly minBinPoints?: number;
  /** A feature with at most this many distinct values uses them as its grid (default 10; 0: never). */
  readonly lowResolutionThreshold?: number;
  /** Grid points per feature (by index or name), adjusted to the data as alibi adjusts them. */
  readonly grid?: Readonly<Record<string, readonly number[]>>;
}

/** One feature's ALE curve: `ale[g * outputs.length + k]` at grid point g for output k. */
export interface AleCurve {
  readonly feature: number;
  readonly featureName: string;
  readonly grid: readonly number[];
  readonly ale: readonly number[];
  /** The constant subtracted per output to centre the curve. */
  readonly ale0: readonly number[];
  /** Rows per interval (grid.length − 1 of them). */
  readonly counts: readonly number[];
  /** What was changed in a caller's grid (clipped, extended, merged). */
  readonly notes: readonly string[];
}

/** ALE curves of several features, with the mean response (alibi's `constant_value`). */
export interface AccumulatedLocalEffects {
  readonly outputs: readonly number[];
  readonly curves: readonly AleCurve[];
  /** Mean of the chosen outputs over rows and outputs. */
  readonly constantValue: number;
  readonly calls: number;
}

/**
 * First-order accumulated local effects (Apley & Zhu 2020, "Visualizing the effects of predictor
 * variables in black box supervised learning models") of numeric features, as alibi's `ALE`
 * computes them: per feature a grid (its distinct values when few, else alibi's adaptive quantile
 * grid with more than `minBinPoints` rows per bin, or the caller's grid adjusted to the data); per
 * row the change of the response across its interval; interval means accumulated from 0 and
 * centred by the count-weighted trapezoid mean. A constant feature gets a small interval around
 * its value (± max(10 % of it, 0.1)). Every row's two interval edges, for all features, go to the
 * model `batchSize` points at a time.
 */
export async function accumulatedLocalEffects(model: Model, data: Dataset, options: AccumulatedLocalEffectsOptions = {}): Promise<AccumulatedLocalEffects> {
  const fn = 'accumulatedLocalEffects';
  const minBinPoints = options.minBinPoints ?? 4;
  check(Number.isInteger(minBinPoints) && minBinPoints >= 0, 'option', () => `${fn}: minBinPoints must be a non-negative integer; found ${minBinPoints}`);
  const threshold = options.lowResolutionThreshold ?? 10;
  check(Number.isInteger(threshold) && threshold >= 0, 'option', () => `${fn}: lowResolutionThreshold must be a non-negative integer; found ${threshold}`);
  const batchSize = options.batchSize ?? CURVE_BATCH;
  check(Number.isInteger(batchSize) && batchSize >= 1, 'option', () => `${fn}: batchSize must be a positive integer; found ${batchSize}`);
  check(data.inputShape.length === 1, 'input', () => `${fn}: expected a tabular dataset (rows [columns]); found rows of shape [${data.inputShape}]`);
  const features = featureIndices(options.features ?? Array.from({ length: data.inputShape[0] }, (_, i) => i), data, fn);
  check(features.length > 0, 'option', () => `${fn}: features must list at least one feature; found []`);
  for (const f of features) {
    check(data.kinds?.[f] !== 'categorical', 'option', () => `${fn}: feature ${data.featureNames?.[f] ?? f} is categorical; ALE here takes numeric features (ordered values) only`);
  }
  const custom = new Map<number, readonly number[]>();
  for (const [key, values] of Object.entries(options.grid ?? {})) {
    const [f] = featureIndices([/^\d+$/.test(key) ? Number(key) : key], data, fn);
    check(features.includes(f), 'option', () => `${fn}: grid is given for feature ${key}, which is not among the features explained`);
    check(Array.isArray(values) && values.length >= 1 && values.every((v) => Number.isFinite(v)), 'option', () => `${fn}: grid[${key}] must hold finite numbers; found ${JSON.stringify(values)}`);
    custom.set(f, values);
  }
  const table = await tabularRows(data, fn, batchSize, options.signal);
  const { rows, columns, values } = table;
  const setup = features.map((f) => {
    const col = tableColumn(table, f);
    let notes: string[] = [];
    let grid: number[];
    const given = custom.get(f);
    if (given) ({ grid, notes } = customAleGrid(col, given));
    else {
      const unique = uniqueSorted(col);
      grid = unique.length <= threshold ? unique : adaptiveAleGrid(col, minBinPoints);
    }
    if (grid.length === 1) {
      const delta = Math.max(grid[0] * 0.1, 0.1);
      grid = [grid[0] - delta, grid[0] + delta];
      notes = [...notes, 'constant feature: interval ± max(10 %, 0.1) around its value'];
    }
    return { feature: f, grid, notes, intervals: aleIntervals(grid, col) };
  });
  // Evaluation e: feature j = ⌊e / 2N⌋, side (0: interval start, 1: end), row i; then the N rows as they are.
  const edges = 2 * rows * features.length;
  const total = edges + rows;
  let done = 0;
  const responses = await modelResponses(model, total, columns, (start, n, out) => {
    for (let e = 0; e < n; e++) {
      const idx = start + e;
      const i = idx % rows;
      out.set(values.subarray(i * columns, (i + 1) * columns), e * columns);
      if (idx < edges) {
        const s = setup[Math.floor(idx / (2 * rows))];
        const side = Math.floor(idx / rows) % 2;
        out[e * columns + s.feature] = s.grid[s.intervals[i] - 1 + side];
      }
    }
  }, { batchSize, response: options.response ?? 'auto', target: options.target, engine: options.engine, signal: options.signal, fn, onBatch: (n) => options.onProgress?.({ done: (done += n), total }) });
  const K = responses.outputs.length;
  const r = responses.values;
  const curves = setup.map((s, j): AleCurve => {
    const bins = s.grid.length - 1;
    const sums = new Float64Array(bins * K);
    const counts = new Array<number>(bins).fill(0);
    for (let i = 0; i < rows; i++) {
      const b = s.intervals[i] - 1;
      counts[b]++;
      const low = ((2 * j) * rows + i) * K;
      const high = ((2 * j + 1) * rows + i) * K;
      for (let k = 0; k < K; k++) sums[b * K + k] += r[high + k] - r[low + k];
    }
    const accumulated = new Float64Array((bins + 1) * K);
    for (let b = 0; b < bins; b++) for (let k = 0; k < K; k++) {
      accumulated[(b + 1) * K + k] = accumulated[b * K + k] + (counts[b] > 0 ? sums[b * K + k] / counts[b] : 0);
    }
    const ale0 = Array.from({ length: K }, (_, k) => {
      let s0 = 0;
      for (let b = 0; b < bins; b++) s0 += 0.5 * (accumulated[b * K + k] + accumulated[(b + 1) * K + k]) * counts[b];
      return s0 / rows;
    });
    return {
      feature: s.feature,
      featureName: data.featureNames?.[s.feature] ?? `feature ${s.feature}`,
      grid: s.grid,
      ale: Array.from(accumulated, (v, idx) => v - ale0[idx % K]),
      ale0,
      counts,
      notes: s.notes,
    };
  });
  let mean = 0;
  for (let i = edges * K; i < total * K; i++) mean += r[i];
  return { outputs: responses.outputs, curves, constantValue: mean / (rows * K), calls: responses.calls };
}
