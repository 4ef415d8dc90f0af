/**
 * Minimal cost-complexity pruning (Breiman et al. 1984, ch. 3) as scikit-learn runs it: with
 * r(t) = i(t)·w_t/W and R(T_t) the sum of r over the leaves below t, repeatedly prune the internal
 * node of smallest effective α = (r(t) − R(T_t)) / (leaves(T_t) − 1) (the first in node order on
 * a tie), recording (α, R(T_root)) after each step, from (0, R of the whole tree) to the root alone.
 */
import { check } from '../core/errors.js';
import type { DecisionTree } from './tree-arrays.js';

/** The pruning path: effective alphas (ascending, from 0) and the total leaf impurity of each pruned tree. */
export interface PruningPath {
  readonly ccpAlphas: readonly number[];
  readonly impurities: readonly number[];
}

/** Prunes weakest links while their α ≤ `stopAlpha`; returns the path and which nodes remain (and which became leaves). */
function weakestLinkPruning(tree: DecisionTree, stopAlpha: number): { path: PruningPath; kept: boolean[]; leaf: boolean[] } {
  const n = tree.impurity.length;
  const total = tree.weightedNodeSamples[0];
  const rNode = tree.impurity.map((imp, i) => (imp * tree.weightedNodeSamples[i]) / total);
  const leaf = tree.childrenLeft.map((c) => c === -1);
  const parent = new Array<number>(n).fill(-1);
  tree.childrenLeft.forEach((c, i) => { if (c >= 0) parent[c] = i; });
  tree.childrenRight.forEach((c, i) => { if (c >= 0) parent[c] = i; });
  const leaves = new Array<number>(n).fill(0);
  const rBranch = new Array<number>(n).fill(0);
  // Pre-order numbering: children come after their parent, so a reverse sweep sees children first.
  for (let i = n - 1; i >= 0; i--) {
    if (leaf[i]) {
      leaves[i] = 1;
      rBranch[i] = rNode[i];
    } else {
      leaves[i] = leaves[tree.childrenLeft[i]] + leaves[tree.childrenRight[i]];
      rBranch[i] = rBranch[tree.childrenLeft[i]] + rBranch[tree.childrenRight[i]];
    }
  }
  const kept = new Array<boolean>(n).fill(true);
  const ccpAlphas = [0];
  const impurities = [rBranch[0]];
  while (!leaf[0]) {
    let alpha = Infinity;
    let weakest = -1;
    for (let i = 0; i < n; i++) {
      if (!kept[i] || leaf[i]) continue;
      const a = (rNode[i] - rBranch[i]) / (leaves[i] - 1);
      if (a < alpha) {
        alpha = a;
        weakest = i;
      }
    }
    if (alpha > stopAlpha) break;
    const stack = [tree.childrenLeft[weakest], tree.childrenRight[weakest]];
    while (stack.length) {
      const d = stack.pop() as number;
      kept[d] = false;
      if (!leaf[d]) stack.push(tree.childrenLeft[d], tree.childrenRight[d]);
    }
    const dLeaves = leaves[weakest] - 1;
    const dR = rBranch[weakest] - rNode[weakest];
    leaf[weakest] = true;
    for (let a = weakest; a >= 0; a = parent[a]) {
      leaves[a] -= dLeaves;
      rBranch[a] -= dR;
    }
    ccpAlphas.push(alpha);
    impurities.push(rBranch[0]);
  }
  return { path: { ccpAlphas, impurities }, kept, leaf };
}

/** The cost-complexity pruning path of a grown tree (sklearn's `cost_complexity_pruning_path`). */
export function costComplexityPruningPath(tree: DecisionTree): PruningPath {
  return weakestLinkPruning(tree, Infinity).path;
}

/** The subtree left by pruning every weakest link of α ≤ `ccpAlpha`, its nodes renumbered in pre-order (sklearn's `ccp_alpha`). */
export function pruneTree(tree: DecisionTree, ccpAlpha: number): DecisionTree {
  check(ccpAlpha >= 0 && Number.isFinite(ccpAlpha), 'option', () => `pruneTree: ccpAlpha must be a number ≥ 0; found ${ccpAlpha}`);
  const { kept, leaf } = weakestLinkPruning(tree, ccpAlpha);
  const out = { childrenLeft: [] as number[], childrenRight: [] as number[], feature: [] as number[], threshold: [] as number[], categories: [] as (readonly number[] | null)[], value: [] as (readonly number[])[], impurity: [] as number[], nodeSamples: [] as number[], weightedNodeSamples: [] as number[] };
  const copy = (i: number): number => {
    const id = out.value.length;
    const isLeaf = leaf[i];
    out.childrenLeft.push(-1);
    out.childrenRight.push(-1);
    out.feature.push(isLeaf ? -2 : tree.feature[i]);
    out.threshold.push(isLeaf ? -2 : tree.threshold[i]);
    out.categories.push(isLeaf ? null : tree.categories[i]);
    out.value.push(tree.value[i]);
    out.impurity.push(tree.impurity[i]);
    out.nodeSamples.push(tree.nodeSamples[i]);
    out.weightedNodeSamples.push(tree.weightedNodeSamples[i]);
    if (!isLeaf && kept[i]) {
      out.childrenLeft[id] = copy(tree.childrenLeft[i]);
      out.childrenRight[id] = copy(tree.childrenRight[i]);
    }
    return id;
  };
  copy(0);
  return { criterion: tree.criterion, classes: tree.classes, columns: tree.columns, ...out };
}
