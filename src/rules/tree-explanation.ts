/**
 * A DecisionTree as a `'tree'` Explanation (src/core/explanation.ts): nested nodes with the
 * feature's name, the threshold or the categories that go left, class shares and row counts; the
 * class names, criterion and depth in `meta`.
 */
import type { JsonValue, TreeExplanation, TreeNodeRecord } from '../core/explanation.js';
import type { DecisionTree } from './tree-arrays.js';

/** Names of the tree's columns and classes (defaults `f0 …`, `0 …`). */
export interface TreeNames {
  readonly featureNames?: readonly string[];
  readonly classNames?: readonly string[];
}

/** The depth of a tree (a lone root has depth 0). */
export function treeDepth(tree: DecisionTree, node = 0): number {
  const l = tree.childrenLeft[node];
  return l === -1 ? 0 : 1 + Math.max(treeDepth(tree, l), treeDepth(tree, tree.childrenRight[node]));
}

/** The number of leaves of a tree. */
export function leafCount(tree: DecisionTree): number {
  return tree.childrenLeft.filter((c) => c === -1).length;
}

/** The tree as an Explanation of kind 'tree', with `fidelity` (share of held-out rows where it agrees with the model) when known. */
export function treeExplanation(tree: DecisionTree, names: TreeNames = {}, extra: { readonly method?: string; readonly fidelity?: number; readonly meta?: { readonly [key: string]: JsonValue } } = {}): TreeExplanation {
  const feature = (f: number): string => names.featureNames?.[f] ?? `f${f}`;
  const node = (i: number): TreeNodeRecord => {
    const counts = tree.value[i];
    const w = counts.reduce((a, b) => a + b, 0);
    const base = { value: counts.map((c) => (w > 0 ? c / w : 0)), samples: tree.nodeSamples[i] };
    if (tree.childrenLeft[i] === -1) return base;
    const cats = tree.categories[i];
    return {
      feature: feature(tree.feature[i]),
      ...(cats ? { categories: [...cats] } : { threshold: tree.threshold[i] }),
      left: node(tree.childrenLeft[i]),
      right: node(tree.childrenRight[i]),
      ...base,
    };
  };
  const classNames = Array.from({ length: tree.classes }, (_, c) => names.classNames?.[c] ?? String(c));
  return {
    kind: 'tree',
    method: extra.method ?? 'surrogate-tree',
    root: node(0),
    ...(extra.fidelity !== undefined ? { fidelity: extra.fidelity } : {}),
    meta: { classNames, criterion: tree.criterion, depth: treeDepth(tree), leaves: leafCount(tree), nodes: tree.value.length, ...(extra.meta ?? {}) },
  };
}
