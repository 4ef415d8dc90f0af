/** The DecisionTree record (sklearn's `tree_` arrays), shared by the tree's builder, pruning and readers. */
import type { Criterion } from './impurity.js';

/** A fitted tree as parallel per-node arrays (sklearn's `tree_`), plus categorical splits. */
export interface DecisionTree {
  readonly criterion: Criterion;
  readonly classes: number;
  readonly columns: number;
  readonly childrenLeft: readonly number[];
  readonly childrenRight: readonly number[];
  /** Split feature, −2 at leaves. */
  readonly feature: readonly number[];
  /** Numeric split threshold (`x <= threshold` goes left), −2 at leaves and categorical splits. */
  readonly threshold: readonly number[];
  /** Categorical split: the levels that go left; null elsewhere. */
  readonly categories: readonly (readonly number[] | null)[];
  /** Weighted class counts per node (sklearn 1.2's `value`). */
  readonly value: readonly (readonly number[])[];
  readonly impurity: readonly number[];
  readonly nodeSamples: readonly number[];
  readonly weightedNodeSamples: readonly number[];
}
