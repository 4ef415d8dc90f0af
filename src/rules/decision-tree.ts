/**
 * A CART classification tree (Breiman et al. 1984) grown as scikit-learn's
 * `DecisionTreeClassifier` (splitter 'best', all features): depth-first, nodes numbered in
 * pre-order with the left child first, the same stopping rules and the same thresholds, so that a
 * fit on the same rows gives the same tree (see best-split.ts for the split search and its ties).
 * Stored as sklearn's `tree_` arrays; leaves have children −1, feature −2 and threshold −2.
 */
import { check } from '../core/errors.js';
import { bestSplit, classCounts, type TreeTrainingData } from './best-split.js';
import { nodeImpurity, type Criterion } from './impurity.js';
import { pruneTree } from './cost-complexity-pruning.js';
import type { DecisionTree } from './tree-arrays.js';

export type { TreeTrainingData } from './best-split.js';
export type { DecisionTree } from './tree-arrays.js';

/** sklearn's EPSILON (double machine epsilon): a node this pure is a leaf. */
const EPSILON = 2.220446049250313e-16;

/** How a tree is grown (sklearn's names in camelCase; defaults as sklearn's). */
export interface DecisionTreeOptions {
  /** 'gini' (default) or 'entropy' (in bits). */
  readonly criterion?: Criterion;
  /** Deepest level of a split (default: unlimited). */
  readonly maxDepth?: number;
  /** A node with fewer rows is a leaf (default 2). */
  readonly minSamplesSplit?: number;
  /** Each child keeps at least this many rows (default 1). */
  readonly minSamplesLeaf?: number;
  /** A split must lower the weighted impurity, N_t/N · (i(t) − w_R/w_t i(R) − w_L/w_t i(L)), by at least this (default 0). */
  readonly minImpurityDecrease?: number;
  /** Prune by minimal cost-complexity with this α after growing (default 0: no pruning). */
  readonly ccpAlpha?: number;
}

interface Growing {
  childrenLeft: number[];
  childrenRight: number[];
  feature: number[];
  threshold: number[];
  categories: (readonly number[] | null)[];
  value: number[][];
  impurity: number[];
  nodeSamples: number[];
  weightedNodeSamples: number[];
}

function checkData(data: TreeTrainingData, fn: string): void {
  check(data.rows >= 1 && data.values.length === data.rows * data.columns, 'input', () => `${fn}: expected ${data.rows} rows × ${data.columns} columns (${data.rows * data.columns} values); found ${data.values.length}`);
  check(data.labels.length === data.rows, 'input', () => `${fn}: expected a label per row (${data.rows}); found ${data.labels.length}`);
  check(Number.isInteger(data.classes) && data.classes >= 1, 'input', () => `${fn}: classes must be a positive integer; found ${data.classes}`);
  const bad = data.labels.findIndex((l) => !(l >= 0 && l < data.classes));
  check(bad < 0, 'input', () => `${fn}: labels must be class indices in [0, ${data.classes - 1}]; row ${bad} has ${data.labels[bad]}`);
  const nan = data.values.findIndex((v) => !Number.isFinite(v));
  check(nan < 0, 'numeric', () => `${fn}: features must be finite; row ${Math.floor(nan / data.columns)}, column ${nan % data.columns} is ${data.values[nan]}`);
  check(!data.weights || (data.weights.length === data.rows && data.weights.every((w) => w >= 0 && Number.isFinite(w))), 'input', () => `${fn}: sample weights must be ${data.rows} finite numbers ≥ 0`);
  check(!data.kinds || data.kinds.length === data.columns, 'input', () => `${fn}: kinds must name each of the ${data.columns} columns; found ${data.kinds?.length}`);
}

function checkOptions(o: DecisionTreeOptions, fn: string): Required<DecisionTreeOptions> {
  const r = { criterion: o.criterion ?? 'gini', maxDepth: o.maxDepth ?? Infinity, minSamplesSplit: o.minSamplesSplit ?? 2, minSamplesLeaf: o.minSamplesLeaf ?? 1, minImpurityDecrease: o.minImpurityDecrease ?? 0, ccpAlpha: o.ccpAlpha ?? 0 } as const;
  check(r.criterion === 'gini' || r.criterion === 'entropy', 'option', () => `${fn}: criterion must be 'gini' or 'entropy'; found '${String(r.criterion)}'`);
  check(r.maxDepth === Infinity || (Number.isInteger(r.maxDepth) && r.maxDepth >= 1), 'option', () => `${fn}: maxDepth must be a positive integer; found ${r.maxDepth}`);
  check(Number.isInteger(r.minSamplesSplit) && r.minSamplesSplit >= 2, 'option', () => `${fn}: minSamplesSplit must be an integer ≥ 2; found ${r.minSamplesSplit}`);
  check(Number.isInteger(r.minSamplesLeaf) && r.minSamplesLeaf >= 1, 'option', () => `${fn}: minSamplesLeaf must be a positive integer; found ${r.minSamplesLeaf}`);
  check(r.minImpurityDecrease >= 0 && Number.isFinite(r.minImpurityDecrease), 'option', () => `${fn}: minImpurityDecrease must be a number ≥ 0; found ${r.minImpurityDecrease}`);
  check(r.ccpAlpha >= 0 && Number.isFinite(r.ccpAlpha), 'option', () => `${fn}: ccpAlpha must be a number ≥ 0; found ${r.ccpAlpha}`);
  return r;
}

/**
 * Grows a CART tree on `data` (Breiman et al. 1984, as scikit-learn 1.2 grows it), then prunes it
 * by minimal cost-complexity when `ccpAlpha` > 0.
 */
export function fitDecisionTree(data: TreeTrainingData, options: DecisionTreeOptions = {}): DecisionTree {
  const fn = 'fitDecisionTree';
  checkData(data, fn);
  const o = checkOptions(options, fn);
  const k = data.classes;
  const t: Growing = { childrenLeft: [], childrenRight: [], feature: [], threshold: [], categories: [], value: [], impurity: [], nodeSamples: [], weightedNodeSamples: [] };
  let totalWeight = 0;
  const grow = (rows: Int32Array, depth: number, counts: Float64Array, weight: number, impurity: number): number => {
    const id = t.value.length;
    t.value.push(Array.from(counts));
    t.impurity.push(impurity);
    t.nodeSamples.push(rows.length);
    t.weightedNodeSamples.push(weight);
    t.childrenLeft.push(-1);
    t.childrenRight.push(-1);
    t.feature.push(-2);
    t.threshold.push(-2);
    t.categories.push(null);
    const n = rows.length;
    if (depth >= o.maxDepth || n < o.minSamplesSplit || n < 2 * o.minSamplesLeaf || impurity <= EPSILON) return id;
    const split = bestSplit(data, rows, o.criterion, o.minSamplesLeaf, counts, weight);
    if (!split) return id;
    const improvement = (weight / totalWeight) * (impurity - (split.weightRight / weight) * split.impurityRight - (split.weightLeft / weight) * split.impurityLeft);
    if (improvement + EPSILON < o.minImpurityDecrease) return id;
    const goesLeft = (r: number): boolean => {
      const v = data.values[r * data.columns + split.feature];
      return split.categories ? split.categories.includes(v) : v <= (split.threshold as number);
    };
    const leftRows = rows.filter(goesLeft);
    const rightRows = rows.filter((r) => !goesLeft(r));
    t.feature[id] = split.feature;
    if (split.threshold !== undefined) t.threshold[id] = split.threshold;
    if (split.categories) t.categories[id] = split.categories;
    const lc = new Float64Array(k);
    const rc = new Float64Array(k);
    const lw = classCounts(data, leftRows, lc);
    const rw = classCounts(data, rightRows, rc);
    t.childrenLeft[id] = grow(leftRows, depth + 1, lc, lw, nodeImpurity(o.criterion, lc, 0, k, lw));
    t.childrenRight[id] = grow(rightRows, depth + 1, rc, rw, nodeImpurity(o.criterion, rc, 0, k, rw));
    return id;
  };
  const all = Int32Array.from({ length: data.rows }, (_, i) => i);
  const counts = new Float64Array(k);
  totalWeight = classCounts(data, all, counts);
  check(totalWeight > 0, 'input', () => `${fn}: the sample weights sum to 0`);
  grow(all, 0, counts, totalWeight, nodeImpurity(o.criterion, counts, 0, k, totalWeight));
  const tree: DecisionTree = { criterion: o.criterion, classes: k, columns: data.columns, ...t };
  return o.ccpAlpha > 0 ? pruneTree(tree, o.ccpAlpha) : tree;
}
