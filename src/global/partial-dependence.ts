import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { CURVE_BATCH, modelResponses, type CurveOptions } from './model-responses.js';
import { partialDependenceGrid } from './partial-dependence-grid.js';
import { featureIndices, tableColumn, tabularRows } from './tabular-rows.js';

/** Options of `partialDependence`. */
export interface PartialDependenceOptions extends CurveOptions {
  /** One feature, or two for a two-way grid (indices or the dataset's feature names). */
  readonly features: readonly (number | string)[];
  /** The mean curve (`'average'`, default), one curve per row (`'individual'`, ICE), or both. */
  readonly kind?: 'average' | 'individual' | 'both';
  /** Grid points per feature (default 100); a feature with fewer distinct values uses those. */
  readonly gridResolution?: number;
  /** The quantiles the grid spans (default [0.05, 0.95]). */
  readonly percentiles?: readonly [number, number];
  /** Grid values per feature, given by the caller instead of the quantile grid. */
  readonly grid?: readonly (readonly number[])[];
  /** Per feature, whether it is categorical (its grid is its levels); default: the dataset's `kinds`. */
  readonly categorical?: boolean | readonly boolean[];
}

/**
 * Partial dependence and ICE curves as plain numbers: `average` is `[outputs, ...gridShape]`,
 * `individual` `[outputs, rows, ...gridShape]`, flattened row-major (the two-way grid is the
 * cartesian product, first feature slowest, as scikit-learn lays it out).
 */
export interface PartialDependence {
  readonly features: readonly number[];
  readonly featureNames: readonly string[];
  readonly grid: readonly (readonly number[])[];
  /** The output columns the curves are of. */
  readonly outputs: readonly number[];
  readonly rows: number;
  readonly average?: readonly number[];
  readonly individual?: readonly number[];
  /** Model calls made (each on up to `batchSize` grid × row points). */
  readonly calls: number;
}

/**
 * Partial dependence (Friedman 2001, "Greedy function approximation: a gradient boosting machine")
 * and individual conditional expectation curves (Goldstein et al. 2015, "Peeking inside the black
 * box") of one or two features, as scikit-learn's `partial_dependence` (method 'brute') computes
 * them: every dataset row with the features set to each grid point, the model's response averaged
 * over rows. Grid × row points go to the model `batchSize` at a time, never one grid point per call.
 */
export async function partialDependence(model: Model, data: Dataset, options: PartialDependenceOptions): Promise<PartialDependence> {
  const fn = 'partialDependence';
  check(options && Array.isArray(options.features) && (options.features.length === 1 || options.features.length === 2), 'option', () =>
    `${fn}: features must list one or two features; found ${JSON.stringify(options?.features)}`);
  const kind = options.kind ?? 'average';
  check(['average', 'individual', 'both'].includes(kind), 'option', () => `${fn}: kind must be 'average', 'individual' or 'both'; found '${kind}'`);
  const batchSize = options.batchSize ?? CURVE_BATCH;
  check(Number.isInteger(batchSize) && batchSize >= 1, 'option', () => `${fn}: batchSize must be a positive integer; found ${batchSize}`);
  const features = featureIndices(options.features, data, fn);
  check(features.length === 1 || features[0] !== features[1], 'option', () => `${fn}: the two features must differ; found ${features[0]} twice`);
  const categorical = features.map((f, i) => {
    const c = options.categorical;
    if (c === undefined) return data.kinds?.[f] === 'categorical';
    if (typeof c === 'boolean') return c;
    check(c.length === features.length, 'option', () => `${fn}: categorical must hold one flag per feature (${features.length}); found ${c.length}`);
    return c[i];
  });
  check(options.grid === undefined || options.grid.length === features.length, 'option', () => `${fn}: grid must hold one list of values per feature (${features.length}); found ${options.grid?.length}`);
  const table = await tabularRows(data, fn, batchSize, options.signal);
  const grid = features.map((f, i) => {
    const given = options.grid?.[i];
    if (given) {
      check(given.length >= 1 && given.every((v) => Number.isFinite(v)), 'option', () => `${fn}: grid[${i}] must hold finite numbers; found ${JSON.stringify(given)}`);
      return [...given];
    }
    return partialDependenceGrid(tableColumn(table, f), { resolution: options.gridResolution ?? 100, percentiles: options.percentiles ?? [0.05, 0.95], categorical: categorical[i] }, fn);
  });
  const points = grid.length === 1 ? grid[0].map((v) => [v]) : grid[0].flatMap((a) => grid[1].map((b) => [a, b]));
  const { rows, columns, values } = table;
  const total = points.length * rows;
  let done = 0;
  const responses = await modelResponses(model, total, columns, (start, n, out) => {
    // Point e of the batch is row (start + e) % rows at grid point ⌊(start + e) / rows⌋: copy runs of rows at once.
    for (let e = 0; e < n;) {
      const g = Math.floor((start + e) / rows);
      const i = (start + e) % rows;
      const m = Math.min(n - e, rows - i);
      out.set(values.subarray(i * columns, (i + m) * columns), e * columns);
      for (let j = 0; j < features.length; j++) {
        const f = features[j];
        const v = points[g][j];
        for (let r = 0; r < m; r++) out[(e + r) * columns + f] = v;
      }
      e += m;
    }
  }, { batchSize, response: options.response ?? 'auto', target: options.target, engine: options.engine, signal: options.signal, fn, onBatch: (n) => options.onProgress?.({ done: (done += n), total }) });
  const K = responses.outputs.length;
  const G = points.length;
  const at = responses.values; // [(g * rows + i) * K + k]
  let individual: number[] | undefined;
  if (kind !== 'average') {
    individual = [];
    for (let k = 0; k < K; k++) for (let i = 0; i < rows; i++) for (let g = 0; g < G; g++) individual.push(at[(g * rows + i) * K + k]);
  }
  let average: number[] | undefined;
  if (kind !== 'individual') {
    const sums = new Float64Array(K * G);
    for (let g = 0; g < G; g++) for (let i = 0; i < rows; i++) for (let k = 0; k < K; k++) sums[k * G + g] += at[(g * rows + i) * K + k];
    average = Array.from(sums, (s) => s / rows);
  }
  return {
    features,
    featureNames: features.map((f) => data.featureNames?.[f] ?? `feature ${f}`),
    grid,
    outputs: responses.outputs,
    rows,
    ...(average ? { average } : {}),
    ...(individual ? { individual } : {}),
    calls: responses.calls,
  };
}
