/**
 * Parity builders of the rules family: scikit-learn's `DecisionTreeClassifier` fitted to the
 * model's predicted classes → `surrogateTree` on the fixture's `dataset.X`, measured on
 * `dataset.X_heldout`. The tree must be the same: structure, features and sample counts exactly,
 * thresholds exactly in double, impurities within 1e-12 (checked here; a mismatch fails the entry
 * with the node); the numbers compared are then the whole tree, the held-out fidelity and the
 * pruning path, in the fixture's order.
 */
import { datasetFromTensors } from '../../core/dataset.js';
import { LumenError } from '../../core/errors.js';
import { fixtureTensor, type FixtureValue } from '../../models/fixture.js';
import { surrogateTree } from '../../rules/surrogate-tree.js';
import type { DecisionTree } from '../../rules/decision-tree.js';
import type { CaseBuilder } from '../case.js';

interface TreeResult {
  readonly classes: readonly number[];
  readonly children_left: readonly number[];
  readonly children_right: readonly number[];
  readonly feature: readonly number[];
  readonly threshold: readonly number[];
  readonly value: { readonly data: readonly (readonly number[])[] };
  readonly impurity: readonly number[];
  readonly n_node_samples: readonly number[];
  readonly fidelity_heldout: number;
  readonly ccp_alphas: readonly number[];
  readonly ccp_impurities: readonly number[];
}

/** The constructor arguments Lumen reproduces (the rest at sklearn's defaults). */
const TREE_DEFAULTS: Readonly<Record<string, unknown>> = { splitter: 'best', max_features: null, ccp_alpha: 0 };

/** Throws (failing the entry) at the first node where the trees differ beyond `tol`. */
function checkSame(id: string, what: string, got: readonly number[], want: readonly number[], tol: number): void {
  if (got.length !== want.length) throw new LumenError('numeric', `${id}: ${what} has ${got.length} nodes; the reference tree ${want.length}`);
  const i = got.findIndex((g, k) => !(Math.abs(g - want[k]) <= tol));
  if (i >= 0) throw new LumenError('numeric', `${id}: ${what} differs at node ${i}: ${got[i]} vs the reference's ${want[i]}`);
}

function treeNumbers(t: { childrenLeft: readonly number[]; childrenRight: readonly number[]; feature: readonly number[]; threshold: readonly number[]; value: readonly (readonly number[])[]; impurity: readonly number[]; nodeSamples: readonly number[] }): number[] {
  return [...t.childrenLeft, ...t.childrenRight, ...t.feature, ...t.threshold, ...t.value.flat(), ...t.impurity, ...t.nodeSamples];
}

export const RULES_BUILDERS: Readonly<Record<string, CaseBuilder>> = {
  'sklearn.tree.DecisionTreeClassifier': (entry, _kw, fx) => {
    const ctor = entry['constructor'] as unknown as Readonly<Record<string, unknown>>;
    if (Object.entries(TREE_DEFAULTS).some(([k, v]) => ctor[k] !== v)) return null;
    const heldOut = (fx.json.dataset as { readonly X_heldout?: FixtureValue } | undefined)?.X_heldout;
    if (!heldOut) return null;
    const r = entry.result as TreeResult;
    const ref = { childrenLeft: r.children_left, childrenRight: r.children_right, feature: r.feature, threshold: r.threshold, value: r.value.data, impurity: r.impurity, nodeSamples: r.n_node_samples };
    return {
      method: 'surrogate-tree',
      reference: [...treeNumbers(ref), r.fidelity_heldout, ...r.ccp_alphas, ...r.ccp_impurities],
      compute: async () => {
        const held = fixtureTensor(heldOut);
        try {
          const s = await surrogateTree(fx.model, datasetFromTensors(fx.inputs), {
            criterion: ctor.criterion as 'gini' | 'entropy',
            maxDepth: (ctor.max_depth ?? undefined) as number | undefined,
            minSamplesLeaf: ctor.min_samples_leaf as number,
            minSamplesSplit: ctor.min_samples_split as number,
            minImpurityDecrease: ctor.min_impurity_decrease as number,
            heldOutData: datasetFromTensors(held),
          });
          const t: DecisionTree = s.tree;
          checkSame(entry.id, 'classes', Array.from({ length: t.classes }, (_, c) => c), r.classes, 0);
          for (const key of ['childrenLeft', 'childrenRight', 'feature', 'threshold', 'nodeSamples'] as const) checkSame(entry.id, key, t[key], ref[key], 0);
          checkSame(entry.id, 'value', t.value.flat(), ref.value.flat(), 0);
          checkSame(entry.id, 'impurity', t.impurity, ref.impurity, 1e-12);
          return [...treeNumbers(t), s.fidelity, ...s.pruningPath.ccpAlphas, ...s.pruningPath.impurities];
        } finally {
          held.dispose();
        }
      },
    };
  },
};
