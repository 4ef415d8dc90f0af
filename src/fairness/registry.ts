/** Registry entries of the fairness family (read by src/methods.ts). */
import { LumenError } from '../core/errors.js';
import type { GlobalMethodInfo, MethodLookup, MethodOptions, OptionSpec } from '../core/method-info.js';
import { attributionDisparity } from './attribution-difference.js';
import { disparityShapley } from './disparity-shapley.js';
import type { FairnessConvention } from './disparities.js';
import { fairnessReport } from './fairness-report.js';
import { thresholdTradeoffReport } from './threshold-report.js';
import type { SensitiveAttribute } from './sensitive-groups.js';
import { SOFT_DISPARITIES, type SoftDisparity } from './soft-disparity.js';

const SENSITIVE: OptionSpec = { name: 'sensitive', type: 'string', doc: "the sensitive attribute: a feature name or index, or a one-hot prefix ('Sex' for Sex=…)" };
const PRIVILEGED: OptionSpec = { name: 'privileged', type: 'string', doc: "the privileged group (required by the 'aif360' convention)" };
const CONVENTION: OptionSpec = { name: 'convention', type: 'enum', values: ['fairlearn', 'aif360'], default: 'fairlearn', doc: 'max − min over groups, or unprivileged − privileged' };
const POSITIVE: OptionSpec = { name: 'positiveClass', type: 'string', doc: 'the favourable class (index or name); default 1 for two classes' };
const THRESHOLD: OptionSpec = { name: 'threshold', type: 'number', doc: 'decide positive when P(positive) ≥ threshold (default: argmax)' };

/** The options every fairness entry shares, read from the registry's loose options (a sensitive attribute is required). */
function common(id: string, options: MethodOptions): { sensitive: SensitiveAttribute; positiveClass?: number | string } {
  const sensitive = options.sensitive as SensitiveAttribute | undefined;
  if (sensitive === undefined) throw new LumenError('option', `${id}: expected a sensitive attribute (option 'sensitive'); found none`);
  const pc = options.positiveClass as number | string | undefined;
  const positiveClass = typeof pc === 'string' && /^\d+$/.test(pc) ? Number(pc) : pc;
  return { sensitive: typeof sensitive === 'string' && /^\d+$/.test(sensitive) ? Number(sensitive) : sensitive, ...(positiveClass !== undefined ? { positiveClass } : {}) };
}

/** Group fairness metrics of a classifier over a Dataset with a sensitive attribute. */
export const FAIRNESS_METHODS: readonly GlobalMethodInfo[] = [
  {
    id: 'group-fairness',
    title: 'Group fairness metrics',
    family: 'fairness',
    scope: 'global',
    needsGradients: false,
    layer: 'none',
    completeness: false,
    inputKinds: ['any'],
    paper: 'Feldman et al. 2015; Hardt, Price & Srebro 2016; Chouldechova 2017',
    summary: 'per-group confusion matrices and rates; demographic parity, disparate impact, equalised odds, equal opportunity, average odds, predictive parity, calibration gaps (Fairlearn or AIF360 convention) with bootstrap intervals',
    options: [
      SENSITIVE,
      PRIVILEGED,
      CONVENTION,
      POSITIVE,
      THRESHOLD,
      { name: 'bootstrap', type: 'integer', default: 0, doc: 'bootstrap resamples of the confidence intervals (0: none)' },
      { name: 'confidence', type: 'number', default: 0.95, doc: 'confidence level of the intervals' },
      { name: 'bins', type: 'integer', default: 10, doc: 'score bins of the calibration error' },
    ],
    async run(model, data, options = {}) {
      return fairnessReport(model, data, { ...options, ...common('group-fairness', options) });
    },
  },
  {
    id: 'threshold-optimizer',
    title: 'Threshold post-processing (trade-off curve)',
    family: 'fairness',
    scope: 'global',
    needsGradients: false,
    layer: 'none',
    completeness: false,
    inputKinds: ['any'],
    paper: 'Hardt, Price & Srebro, Equality of Opportunity in Supervised Learning, 2016',
    summary: 'randomised per-group thresholds that maximise accuracy under equalised odds, equal opportunity or demographic parity (exact, a linear program); the accuracy–disparity curve and the exact rules',
    options: [
      SENSITIVE,
      POSITIVE,
      { name: 'constraint', type: 'enum', values: ['equalised-odds', 'equal-opportunity', 'demographic-parity'], default: 'equalised-odds', doc: 'the rates made equal across groups' },
      { name: 'points', type: 'integer', default: 11, doc: 'points of the trade-off curve' },
      THRESHOLD,
    ],
    async run(model, data, options = {}) {
      return thresholdTradeoffReport(model, data, { ...options, ...common('threshold-optimizer', options) });
    },
  },
  {
    id: 'disparity-shapley',
    title: 'Shapley values of a disparity',
    family: 'fairness',
    scope: 'global',
    needsGradients: false,
    layer: 'none',
    completeness: false,
    inputKinds: ['tabular'],
    paper: 'Begley et al., Explainability for Fair Machine Learning, 2020; Lundberg, Explaining Quantitative Measures of Fairness, 2020',
    summary: "each feature's Shapley share of a between-group disparity of the model's decisions (features outside a coalition drawn from background rows); exact for few features, seeded permutations otherwise",
    options: [
      SENSITIVE,
      POSITIVE,
      { name: 'metric', type: 'enum', values: [...SOFT_DISPARITIES], default: 'demographic parity difference', doc: 'the disparity explained' },
      CONVENTION,
      PRIVILEGED,
      { name: 'background', type: 'integer', default: 32, doc: 'background rows an absent feature is drawn from' },
      { name: 'estimator', type: 'enum', values: ['auto', 'exact', 'permutation'], default: 'auto', doc: 'exact over all coalitions (auto: up to 10 players) or sampled orderings' },
      { name: 'permutations', type: 'integer', default: 64, doc: "orderings of the 'permutation' estimator" },
      THRESHOLD,
    ],
    async run(model, data, options = {}) {
      return disparityShapley(model, data, { ...options, metric: (options.metric as SoftDisparity | undefined) ?? 'demographic parity difference', convention: (options.convention as FairnessConvention | undefined) ?? 'fairlearn', ...common('disparity-shapley', options) });
    },
  },
];

/**
 * The fairness entry that runs a local attribution method (`lookup` finds it; src/methods.ts
 * passes its own methodById): mean attribution per group and its gap, per feature.
 */
export function attributionDifferenceMethod(lookup: MethodLookup): GlobalMethodInfo {
  return {
    id: 'attribution-difference',
    title: 'Mean attribution difference between groups',
    family: 'fairness',
    scope: 'global',
    needsGradients: false,
    layer: 'none',
    completeness: false,
    inputKinds: ['tabular'],
    paper: 'Lundberg, Explaining Quantitative Measures of Fairness, 2020',
    summary: "each feature's mean attribution (for the favourable class) per group and its gap across the groups, with bootstrap intervals",
    options: [
      SENSITIVE,
      POSITIVE,
      { name: 'attribution', type: 'string', default: 'kernel-shap', doc: 'the local method whose attributions are averaged' },
      CONVENTION,
      PRIVILEGED,
      { name: 'bootstrap', type: 'integer', default: 0, doc: 'bootstrap resamples of the confidence intervals (0: none)' },
      { name: 'confidence', type: 'number', default: 0.95, doc: 'confidence level of the intervals' },
      THRESHOLD,
    ],
    async run(model, data, options = {}) {
      const id = String(options.attribution ?? 'kernel-shap');
      const method = lookup(id);
      if (method.scope !== 'local') throw new LumenError('option', `attribution-difference: attribution must be a local method; '${id}' is a global one`);
      const seed = typeof options.seed === 'number' ? options.seed : undefined;
      return attributionDisparity(model, data, (x, target) => method.run(model, x, { target, ...(seed !== undefined ? { seed } : {}) }), { ...options, ...common('attribution-difference', options) });
    },
  };
}
