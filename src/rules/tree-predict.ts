/**
 * Reading a fitted DecisionTree: the leaf each row reaches (`applyTree`), the class it predicts
 * (`predictTree`, the leaf's heaviest class, first on a tie as numpy's argmax) and the nodes on its
 * way (`decisionPath`). Rows are a float32 table as the tree was grown on.
 */
import { check } from '../core/errors.js';
import type { DecisionTree } from './tree-arrays.js';

function checkRows(tree: DecisionTree, values: Float32Array, fn: string): number {
  check(values.length % tree.columns === 0, 'input', () => `${fn}: expected rows of ${tree.columns} columns; found ${values.length} values`);
  return values.length / tree.columns;
}

/** Whether row `r` of `values` goes to the left child of split node `node`. */
export function goesLeft(tree: DecisionTree, node: number, values: ArrayLike<number>, r: number): boolean {
  const v = values[r * tree.columns + tree.feature[node]];
  const cats = tree.categories[node];
  return cats ? cats.includes(v) : v <= tree.threshold[node];
}

/** The nodes row `r` passes through, root first, leaf last. */
function pathOf(tree: DecisionTree, values: ArrayLike<number>, r: number): number[] {
  const path = [0];
  let node = 0;
  while (tree.childrenLeft[node] !== -1) {
    node = goesLeft(tree, node, values, r) ? tree.childrenLeft[node] : tree.childrenRight[node];
    path.push(node);
  }
  return path;
}

/** The leaf id each row reaches (sklearn's `apply`). */
export function applyTree(tree: DecisionTree, values: Float32Array): Int32Array {
  const rows = checkRows(tree, values, 'applyTree');
  return Int32Array.from({ length: rows }, (_, r) => {
    const p = pathOf(tree, values, r);
    return p[p.length - 1];
  });
}

/** The node ids on each row's path, root to leaf (sklearn's `decision_path`, as lists). */
export function decisionPath(tree: DecisionTree, values: Float32Array): number[][] {
  const rows = checkRows(tree, values, 'decisionPath');
  return Array.from({ length: rows }, (_, r) => pathOf(tree, values, r));
}

/** The heaviest class of a node (the first on a tie). */
export function nodeClass(tree: DecisionTree, node: number): number {
  const v = tree.value[node];
  let best = 0;
  for (let c = 1; c < v.length; c++) if (v[c] > v[best]) best = c;
  return best;
}

/** The class index each row is predicted (sklearn's `predict`, as indices into the tree's classes). */
export function predictTree(tree: DecisionTree, values: Float32Array): Int32Array {
  return applyTree(tree, values).map((leaf) => nodeClass(tree, leaf));
}
