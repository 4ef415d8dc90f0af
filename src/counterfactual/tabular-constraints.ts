import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import { featureIndices, tabularRows, type TabularRows } from '../global/tabular-rows.js';
import { featureScales } from './feature-scales.js';

/** Options every tabular counterfactual method takes. */
export interface TabularConstraintOptions {
  /** Columns never changed, by index or feature name (a one-hot column holds its whole group). */
  readonly immutable?: readonly (number | string)[];
  /** Per column [min, max] (default the data's range). */
  readonly ranges?: readonly (readonly [number, number])[];
}

/** What a tabular counterfactual may do to each column, read from a Dataset. */
export interface TabularConstraints {
  readonly d: number;
  readonly names: readonly string[];
  /** Per column median absolute deviation (1 where it is 0). */
  readonly mad: readonly number[];
  readonly ranges: readonly (readonly [number, number])[];
  /** Per column: held at the explained row's value. */
  readonly frozen: readonly boolean[];
  /** One-hot groups (categorical columns named `Feature=level` sharing `Feature`), each a list of columns. */
  readonly groups: readonly (readonly number[])[];
  /** Categorical columns outside groups: their observed levels, sorted. */
  readonly levels: ReadonlyMap<number, readonly number[]>;
  /** The dataset's rows. */
  readonly table: TabularRows;
}

/**
 * The constraints of a tabular counterfactual from `data` (MAD scales and ranges from its rows,
 * categorical columns from its `kinds`, one-hot groups from `Feature=level` names) and the
 * options; bad immutable columns or ranges are LumenErrors naming `fn`.
 */
export async function tabularConstraints(data: Dataset, fn: string, options: TabularConstraintOptions): Promise<TabularConstraints> {
  const table = await tabularRows(data, fn, 1024);
  const d = table.columns;
  const names = data.featureNames ?? Array.from({ length: d }, (_, j) => `x${j}`);
  const { mad, min, max } = featureScales(table.values, table.rows, d);
  const ranges = options.ranges ?? min.map((lo, j) => [lo, max[j]] as const);
  check(ranges.length === d && ranges.every(([lo, hi]) => lo <= hi), 'option', () => `${fn}: ranges must give [min, max] for each of the ${d} columns; found ${ranges.length} ranges`);
  for (const j of options.immutable ?? []) check(typeof j === 'string' || (Number.isInteger(j) && j >= 0 && j < d), 'option', () => `${fn}: immutable column must be in [0, ${d - 1}]; found ${j}`);
  const frozen = new Array<boolean>(d).fill(false);
  for (const j of featureIndices(options.immutable ?? [], data, fn)) frozen[j] = true;
  const kinds = data.kinds ?? [];
  const byPrefix = new Map<string, number[]>();
  const levels = new Map<number, number[]>();
  for (let j = 0; j < d; j++) {
    if (kinds[j] !== 'categorical') continue;
    const m = /^(.+)=(.+)$/.exec(names[j]);
    if (m) byPrefix.set(m[1], [...(byPrefix.get(m[1]) ?? []), j]);
    else levels.set(j, [...new Set(Array.from({ length: table.rows }, (_, i) => table.values[i * d + j]))].sort((a, b) => a - b));
  }
  const groups = [...byPrefix.values()].filter((g) => g.length > 1);
  for (const g of [...byPrefix.values()].filter((g) => g.length === 1)) levels.set(g[0], [0, 1]);
  for (const g of groups) if (g.some((j) => frozen[j])) for (const j of g) frozen[j] = true;
  return { d, names, mad, ranges, frozen, groups, levels, table };
}

/**
 * Makes row `i` of `rows` a valid row in place: each one-hot group becomes the one-hot of its
 * largest entry, each other categorical column its nearest observed level, every column clipped
 * to its range, frozen columns reset to `x0`'s.
 */
export function projectRow(rows: Float32Array, x0: Float32Array, i: number, c: TabularConstraints): void {
  const o = i * c.d;
  for (const g of c.groups) {
    let best = g[0];
    for (const j of g) if (rows[o + j] > rows[o + best]) best = j;
    for (const j of g) rows[o + j] = j === best ? 1 : 0;
  }
  for (const [j, lv] of c.levels) {
    let best = lv[0];
    for (const v of lv) if (Math.abs(v - rows[o + j]) < Math.abs(best - rows[o + j])) best = v;
    rows[o + j] = best;
  }
  for (let j = 0; j < c.d; j++) {
    if (c.frozen[j]) rows[o + j] = x0[o + j];
    else rows[o + j] = Math.min(c.ranges[j][1], Math.max(c.ranges[j][0], rows[o + j]));
  }
}

/** A changed feature of a counterfactual: its name and its value before and after. */
export interface FeatureChange {
  readonly feature: string;
  readonly before: number;
  readonly after: number;
}

/**
 * Per row of `found` against `x0`: the MAD-scaled L1 distance and the features that changed by more
 * than `tolerance` MADs (names, and before → after).
 */
export function featureChanges(found: Float32Array, x0: Float32Array, n: number, c: TabularConstraints, tolerance = 1e-4): { norms: number[]; changed: string[][]; changes: FeatureChange[][] } {
  const norms: number[] = [];
  const changed: string[][] = [];
  const changes: FeatureChange[][] = [];
  for (let i = 0; i < n; i++) {
    let dist = 0;
    const ch: FeatureChange[] = [];
    for (let j = 0; j < c.d; j++) {
      const p = i * c.d + j;
      const diff = Math.abs(found[p] - x0[p]) / c.mad[j];
      dist += diff;
      if (diff > tolerance) ch.push({ feature: c.names[j], before: x0[p], after: found[p] });
    }
    norms.push(dist);
    changed.push(ch.map((v) => v.feature));
    changes.push(ch);
  }
  return { norms, changed, changes };
}

/**
 * The class each row's counterfactual should reach: `target` (a class index for every row) or, for
 * 'other' / undefined, the most probable class other than the row's prediction. Checks the range.
 */
export function counterfactualTargets(probs: readonly (readonly number[])[], target: number | 'other' | undefined, fn: string): { original: number[]; target: number[] } {
  const k = probs[0]?.length ?? 0;
  const original = probs.map((r) => r.indexOf(Math.max(...r)));
  const chosen = probs.map((r, i) => {
    if (typeof target === 'number') return target;
    let best = -1;
    r.forEach((v, cl) => { if (cl !== original[i] && (best < 0 || v > r[best])) best = cl; });
    return best;
  });
  check(target === undefined || target === 'other' || typeof target === 'number', 'option', () => `${fn}: target must be a class index or 'other'; found ${JSON.stringify(target)}`);
  chosen.forEach((t) => check(Number.isInteger(t) && t >= 0 && t < k, 'target', () => `${fn}: target must be a class in [0, ${k - 1}]; found ${t}`));
  return { original, target: chosen };
}
