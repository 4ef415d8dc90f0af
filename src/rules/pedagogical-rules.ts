/**
 * Pedagogical rule extraction (Andrews, Diederich & Tickle 1995; Craven & Shavlik 1996): the
 * model is queried as a black box, a surrogate tree learns its answers (surrogate-tree.ts), and
 * the tree's leaves become an ordered rule list with coverage, precision against the model and
 * support on the dataset's rows, plus the surrogate's held-out fidelity.
 */
import type { Dataset } from '../core/dataset.js';
import type { RulesExplanation, TreeExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { surrogateTree, type SurrogateTreeOptions, type SurrogateTreeResult } from './surrogate-tree.js';
import { treeExplanation, treeDepth } from './tree-explanation.js';
import { treeRules } from './tree-rules.js';

/** A surrogate's result as a `'rules'` Explanation; `method` names the entry that made it. */
export function surrogateRulesExplanation(result: SurrogateTreeResult, data: Pick<Dataset, 'featureNames' | 'classNames'>, method = 'pedagogical-rules'): RulesExplanation {
  const names = { featureNames: data.featureNames, classNames: data.classNames };
  return {
    kind: 'rules',
    method,
    rules: treeRules(result.tree, result.rows.values, result.modelClasses, names),
    fidelity: result.fidelity,
    meta: { trainFidelity: result.trainFidelity, depth: treeDepth(result.tree), trainRows: result.trainRows, heldOutRows: result.heldOutRows, modelCalls: result.modelCalls },
  };
}

/** A surrogate's result as a `'tree'` Explanation, with its fidelity and pruning path in `meta`. */
export function surrogateTreeExplanation(result: SurrogateTreeResult, data: Pick<Dataset, 'featureNames' | 'classNames'>): TreeExplanation {
  return treeExplanation(result.tree, { featureNames: data.featureNames, classNames: data.classNames }, {
    fidelity: result.fidelity,
    meta: { trainFidelity: result.trainFidelity, ccpAlphas: [...result.pruningPath.ccpAlphas], ccpImpurities: [...result.pruningPath.impurities], modelCalls: result.modelCalls },
  });
}

/** Rules a surrogate tree (default depth 4) learns from the model's predictions on `data`; see the file comment. */
export async function pedagogicalRules(model: Model, data: Dataset, options: SurrogateTreeOptions = {}): Promise<RulesExplanation> {
  return surrogateRulesExplanation(await surrogateTree(model, data, options), data);
}
