/**
 * A DecisionTree as an ordered rule list: one rule per leaf, its path's tests merged (the tightest
 * bound per numeric feature and side; the levels left per categorical feature), with coverage,
 * precision against the model and support measured on the rows given. Leaves are disjoint, so
 * the order (most rows first, then most precise) changes no decision; it puts the broad rules first.
 */
import type { ExplanationRule, RuleCondition } from '../core/explanation.js';
import type { DecisionTree } from './tree-arrays.js';
import type { TreeNames } from './tree-explanation.js';
import { applyTree, nodeClass } from './tree-predict.js';

interface Bounds {
  upper?: number;
  lower?: number;
  levels?: Set<number>;
}

/** The conditions on the way to each leaf: leaf id → per-feature bounds. */
function leafBounds(tree: DecisionTree, levelsOf: (f: number) => number[]): Map<number, Map<number, Bounds>> {
  const out = new Map<number, Map<number, Bounds>>();
  const walk = (node: number, bounds: Map<number, Bounds>): void => {
    if (tree.childrenLeft[node] === -1) {
      out.set(node, bounds);
      return;
    }
    const f = tree.feature[node];
    const cats = tree.categories[node];
    for (const left of [true, false]) {
      const next = new Map([...bounds].map(([k, b]) => [k, { ...b, ...(b.levels ? { levels: new Set(b.levels) } : {}) }]));
      const b = next.get(f) ?? {};
      if (cats) {
        const levels = b.levels ?? new Set(levelsOf(f));
        for (const v of [...levels]) if (cats.includes(v) !== left) levels.delete(v);
        b.levels = levels;
      } else if (left) b.upper = Math.min(b.upper ?? Infinity, tree.threshold[node]);
      else b.lower = Math.max(b.lower ?? -Infinity, tree.threshold[node]);
      next.set(f, b);
      walk(left ? tree.childrenLeft[node] : tree.childrenRight[node], next);
    }
  };
  walk(0, new Map());
  return out;
}

function conditions(bounds: Map<number, Bounds>, feature: (f: number) => string): RuleCondition[] {
  const out: RuleCondition[] = [];
  for (const [f, b] of [...bounds].sort((a, c) => a[0] - c[0])) {
    if (b.lower !== undefined) out.push({ feature: feature(f), op: '>', value: b.lower });
    if (b.upper !== undefined) out.push({ feature: feature(f), op: '<=', value: b.upper });
    if (b.levels) {
      const levels = [...b.levels].sort((x, y) => x - y);
      out.push(levels.length === 1 ? { feature: feature(f), op: '==', value: levels[0] } : { feature: feature(f), op: 'in', value: levels });
    }
  }
  return out;
}

/**
 * The tree's leaves as rules, measured on `values` (row-major rows of the tree's columns) against
 * the model's classes `modelClasses` of those rows: coverage = share of rows reaching the leaf,
 * support = their number, precision = share of them the model gives the leaf's class (0 for a
 * leaf no row reaches). Categorical levels are those present in `values`.
 */
export function treeRules(tree: DecisionTree, values: Float32Array, modelClasses: Int32Array, names: TreeNames = {}): ExplanationRule[] {
  const rows = modelClasses.length;
  const levelsOf = (f: number): number[] => [...new Set(Array.from({ length: rows }, (_, r) => values[r * tree.columns + f]))];
  const leaves = applyTree(tree, values);
  const feature = (f: number): string => names.featureNames?.[f] ?? `f${f}`;
  const rules: ExplanationRule[] = [];
  for (const [leaf, bounds] of leafBounds(tree, levelsOf)) {
    const cls = nodeClass(tree, leaf);
    let support = 0;
    let right = 0;
    for (let r = 0; r < rows; r++) {
      if (leaves[r] !== leaf) continue;
      support++;
      if (modelClasses[r] === cls) right++;
    }
    rules.push({
      conditions: conditions(bounds, feature),
      outcome: names.classNames?.[cls] ?? cls,
      coverage: rows ? support / rows : 0,
      precision: support ? right / support : 0,
      support,
    });
  }
  return rules.sort((a, b) => (b.support ?? 0) - (a.support ?? 0) || b.precision - a.precision);
}
