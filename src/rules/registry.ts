/** Registry entries of the rules family: surrogate trees and rule extraction (read by src/methods.ts). */
import type { GlobalMethodInfo, OptionSpec } from '../core/method-info.js';
import { surrogateRulesExplanation, surrogateTreeExplanation } from './pedagogical-rules.js';
import { surrogateTree, type SurrogateTreeOptions } from './surrogate-tree.js';
import { distillation, type DistillationOptions } from './distillation.js';
import { treeExplanation } from './tree-explanation.js';
import { decompositionalRules, decompositionalRulesExplanation, type DecompositionalRulesOptions } from './decompositional-rules.js';

/** The tree options every tree-growing entry shares (sklearn's names in camelCase). */
export const TREE_OPTIONS: readonly OptionSpec[] = [
  { name: 'criterion', type: 'enum', values: ['gini', 'entropy'], default: 'gini', doc: 'split impurity' },
  { name: 'maxDepth', type: 'integer', default: 4, doc: 'deepest split level' },
  { name: 'minSamplesLeaf', type: 'integer', default: 1, doc: 'rows each leaf keeps at least' },
  { name: 'minSamplesSplit', type: 'integer', default: 2, doc: 'a node with fewer rows is a leaf' },
  { name: 'minImpurityDecrease', type: 'number', default: 0, doc: 'a split lowers the weighted impurity by at least this' },
  { name: 'ccpAlpha', type: 'number', default: 0, doc: 'minimal cost-complexity pruning α' },
];

const SURROGATE_OPTIONS: readonly OptionSpec[] = [
  ...TREE_OPTIONS,
  { name: 'heldOutFraction', type: 'number', default: 0.2, doc: "share of the data's rows held out to measure fidelity" },
  { name: 'samples', type: 'integer', default: 0, doc: 'extra rows drawn around the data and labelled by the model' },
  { name: 'noise', type: 'number', default: 0.1, doc: "the extra rows' noise, in standard deviations of each numeric column" },
];

const base = { family: 'rules', scope: 'global', needsGradients: false, layer: 'none', completeness: false, inputKinds: ['tabular'] } as const;

/** Surrogate tree, pedagogical rules and distillation (model-agnostic, from predictions) and DeepRED (dense networks' hidden layers) on a tabular Dataset. */
export const RULES_METHODS: readonly GlobalMethodInfo[] = [
  {
    ...base,
    id: 'surrogate-tree',
    title: 'Surrogate decision tree',
    paper: 'Breiman et al. 1984; Craven & Shavlik 1996',
    summary: "a CART tree fitted to the model's predicted classes, with held-out fidelity and pruning path",
    options: SURROGATE_OPTIONS,
    async run(model, data, options = {}) {
      return surrogateTreeExplanation(await surrogateTree(model, data, options as SurrogateTreeOptions), data);
    },
  },
  {
    ...base,
    id: 'pedagogical-rules',
    title: 'Pedagogical rule extraction',
    paper: 'Andrews et al. 1995; Craven & Shavlik 1996',
    summary: "an ordered rule list from a surrogate tree of the model's predictions: coverage, precision, support, fidelity",
    options: SURROGATE_OPTIONS,
    async run(model, data, options = {}) {
      return surrogateRulesExplanation(await surrogateTree(model, data, options as SurrogateTreeOptions), data);
    },
  },
  {
    ...base,
    id: 'distillation',
    title: 'Distillation into trees',
    paper: 'Frosst & Hinton, Distilling a Neural Network Into a Soft Decision Tree, 2017',
    summary: "a soft decision tree and a shallow CART trained on the model's soft targets at a temperature; fidelity of each",
    options: [
      { name: 'temperature', type: 'number', default: 2, doc: 'τ of the soft targets softmax(log p / τ)' },
      { name: 'depth', type: 'integer', default: 3, doc: "the soft tree's depth" },
      { name: 'epochs', type: 'integer', default: 300, doc: "the soft tree's full-batch Adam steps" },
      { name: 'learningRate', type: 'number', default: 0.05, doc: "the soft tree's Adam learning rate" },
      { name: 'maxDepth', type: 'integer', default: 3, doc: "the CART student's depth" },
      { name: 'heldOutFraction', type: 'number', default: 0.2, doc: 'share of rows held out to measure fidelity' },
    ],
    async run(model, data, options = {}) {
      const o = options as DistillationOptions & { readonly maxDepth?: number };
      const r = await distillation(model, data, { ...o, tree: { maxDepth: o.maxDepth ?? 3 } });
      return treeExplanation(r.tree, { featureNames: data.featureNames, classNames: data.classNames }, {
        method: 'distillation',
        fidelity: r.treeFidelity,
        meta: { temperature: r.temperature, softTreeFidelity: r.softTreeFidelity, softTreeDepth: r.softTree.depth, heldOutRows: r.heldOutRows },
      });
    },
  },
  {
    ...base,
    id: 'deepred',
    title: 'Decompositional rule extraction (DeepRED)',
    paper: 'Zilke, Loza Mencía & Janssen, DeepRED, 2016; Sato & Tsukimoto, CRED, 2001',
    summary: "rules through a dense network's hidden layers: trees from each layer to the tests of the layer above, substituted down to the inputs; fidelity",
    options: [
      { name: 'criterion', type: 'enum', values: ['gini', 'entropy'], default: 'gini', doc: 'split impurity of every tree' },
      { name: 'maxDepth', type: 'integer', default: 4, doc: 'depth of the tree from the last hidden layer to the classes' },
      { name: 'hiddenDepth', type: 'integer', default: 3, doc: "depth of each tree explaining a hidden unit's test from the layer below" },
      { name: 'minSamplesLeaf', type: 'integer', default: 1, doc: 'rows each leaf keeps at least' },
      { name: 'minSupport', type: 'integer', default: 1, doc: 'a conjunction fewer training rows satisfy is dropped' },
      { name: 'maxConjunctions', type: 'integer', default: 400, doc: 'conjunctions kept per rule and layer (the most supported)' },
      { name: 'heldOutFraction', type: 'number', default: 0.2, doc: "share of the data's rows held out to measure fidelity" },
    ],
    async run(model, data, options = {}) {
      return decompositionalRulesExplanation(await decompositionalRules(model, data, options as DecompositionalRulesOptions), data);
    },
  },
];
