/**
 * The best split of one tree node, searched as scikit-learn's `BestSplitter` does: every feature,
 * every cut between consecutive distinct sorted values (gap > 1e-7) that leaves at least
 * `minSamplesLeaf` rows on each side, ranked by the proxy improvement −w_R·i(R) − w_L·i(L); the
 * threshold is the midpoint x[p−1]/2 + x[p]/2 in double (x[p−1] if that rounds up to x[p]).
 * Categorical columns (a Lumen extension; sklearn 1.2 has none) try, for each class, the prefixes
 * of their levels ordered by that class's share — Breiman's ordering, exact for two classes.
 * Ties: features are visited in index order and only a strictly better split replaces the best,
 * so among equal gains the lowest feature index, then the lowest cut, wins.
 */
import type { ColumnKind } from '../core/dataset.js';
import { nodeImpurity, type Criterion } from './impurity.js';

/** sklearn's FEATURE_THRESHOLD: values closer than this are one value. */
const FEATURE_THRESHOLD = 1e-7;

/** The rows a tree is grown on: a float32 table, class indices and optional weights. */
export interface TreeTrainingData {
  /** Row-major `[rows, columns]` (sklearn casts X to float32 too). */
  readonly values: Float32Array;
  readonly rows: number;
  readonly columns: number;
  /** Class index of each row, in [0, classes). */
  readonly labels: Int32Array;
  readonly classes: number;
  /** Weight of each row (default 1). */
  readonly weights?: Float64Array;
  readonly kinds?: readonly ColumnKind[];
}

/** A chosen split: numeric (`x <= threshold` goes left) or categorical (`x` in `categories` goes left). */
export interface NodeSplit {
  readonly feature: number;
  readonly threshold?: number;
  readonly categories?: readonly number[];
  readonly proxy: number;
  readonly impurityLeft: number;
  readonly impurityRight: number;
  readonly weightLeft: number;
  readonly weightRight: number;
}

/** Weighted class counts of `rows` into `out` (length classes). */
export function classCounts(data: TreeTrainingData, rows: Int32Array, out: Float64Array): number {
  out.fill(0);
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const w = data.weights ? data.weights[r] : 1;
    out[data.labels[r]] += w;
    total += w;
  }
  return total;
}

function numericSplit(data: TreeTrainingData, rows: Int32Array, f: number, criterion: Criterion, minLeaf: number, parent: Float64Array, total: number, best: NodeSplit | null): NodeSplit | null {
  const { values, columns, classes: k } = data;
  const order = Array.from(rows).sort((a, b) => values[a * columns + f] - values[b * columns + f]);
  const n = order.length;
  const x = (p: number): number => values[order[p] * columns + f];
  if (x(n - 1) <= x(0) + FEATURE_THRESHOLD) return best;
  const left = new Float64Array(k);
  const right = Float64Array.from(parent);
  let wl = 0;
  for (let p = 1; p < n; p++) {
    const r = order[p - 1];
    const w = data.weights ? data.weights[r] : 1;
    left[data.labels[r]] += w;
    right[data.labels[r]] -= w;
    wl += w;
    if (x(p) <= x(p - 1) + FEATURE_THRESHOLD) continue;
    if (p < minLeaf || n - p < minLeaf) continue;
    const wr = total - wl;
    const il = nodeImpurity(criterion, left, 0, k, wl);
    const ir = nodeImpurity(criterion, right, 0, k, wr);
    const proxy = -wr * ir - wl * il;
    if (best === null || proxy > best.proxy) {
      let threshold = x(p - 1) / 2 + x(p) / 2;
      if (threshold === x(p) || !Number.isFinite(threshold)) threshold = x(p - 1);
      best = { feature: f, threshold, proxy, impurityLeft: il, impurityRight: ir, weightLeft: wl, weightRight: wr };
    }
  }
  return best;
}

function categoricalSplit(data: TreeTrainingData, rows: Int32Array, f: number, criterion: Criterion, minLeaf: number, total: number, best: NodeSplit | null): NodeSplit | null {
  const { values, columns, classes: k } = data;
  const levels = new Map<number, { counts: Float64Array; n: number; w: number }>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const v = values[r * columns + f];
    let l = levels.get(v);
    if (!l) levels.set(v, (l = { counts: new Float64Array(k), n: 0, w: 0 }));
    const w = data.weights ? data.weights[r] : 1;
    l.counts[data.labels[r]] += w;
    l.n += 1;
    l.w += w;
  }
  if (levels.size < 2) return best;
  const entries = [...levels.entries()];
  for (let c = 0; c < (k === 2 ? 1 : k); c++) {
    const ordered = [...entries].sort((a, b) => b[1].counts[c] / b[1].w - a[1].counts[c] / a[1].w || a[0] - b[0]);
    const left = new Float64Array(k);
    let nl = 0;
    let wl = 0;
    for (let s = 0; s < ordered.length - 1; s++) {
      const l = ordered[s][1];
      for (let j = 0; j < k; j++) left[j] += l.counts[j];
      nl += l.n;
      wl += l.w;
      if (nl < minLeaf || rows.length - nl < minLeaf) continue;
      const right = new Float64Array(k);
      for (const [, o] of ordered.slice(s + 1)) for (let j = 0; j < k; j++) right[j] += o.counts[j];
      const wr = total - wl;
      const il = nodeImpurity(criterion, left, 0, k, wl);
      const ir = nodeImpurity(criterion, right, 0, k, wr);
      const proxy = -wr * ir - wl * il;
      if (best === null || proxy > best.proxy) {
        const categories = ordered.slice(0, s + 1).map(([v]) => v).sort((a, b) => a - b);
        best = { feature: f, categories, proxy, impurityLeft: il, impurityRight: ir, weightLeft: wl, weightRight: wr };
      }
    }
  }
  return best;
}

/** The best split of the node holding `rows` (class counts `parent`, weight `total`), or null when no cut is allowed. */
export function bestSplit(data: TreeTrainingData, rows: Int32Array, criterion: Criterion, minLeaf: number, parent: Float64Array, total: number): NodeSplit | null {
  let best: NodeSplit | null = null;
  for (let f = 0; f < data.columns; f++) {
    best = data.kinds?.[f] === 'categorical'
      ? categoricalSplit(data, rows, f, criterion, minLeaf, total, best)
      : numericSplit(data, rows, f, criterion, minLeaf, parent, total, best);
  }
  return best;
}
