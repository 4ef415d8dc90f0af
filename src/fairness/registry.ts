/** Registry entries of the fairness family (read by src/methods.ts). */
import { LumenError } from '../core/errors.js';
import type { GlobalMethodInfo } from '../core/method-info.js';
import { fairnessReport } from './fairness-report.js';
import type { SensitiveAttribute } from './sensitive-groups.js';

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
      { name: 'sensitive', type: 'string', doc: "the sensitive attribute: a feature name or index, or a one-hot prefix ('Sex' for Sex=…)" },
      { name: 'privileged', type: 'string', doc: "the privileged group (required by the 'aif360' convention)" },
      { name: 'convention', type: 'enum', values: ['fairlearn', 'aif360'], default: 'fairlearn', doc: 'max − min over groups, or unprivileged − privileged' },
      { name: 'positiveClass', type: 'string', doc: 'the favourable class (index or name); default 1 for two classes' },
      { name: 'threshold', type: 'number', doc: 'decide positive when P(positive) ≥ threshold (default: argmax)' },
      { name: 'bootstrap', type: 'integer', default: 0, doc: 'bootstrap resamples of the confidence intervals (0: none)' },
      { name: 'confidence', type: 'number', default: 0.95, doc: 'confidence level of the intervals' },
      { name: 'bins', type: 'integer', default: 10, doc: 'score bins of the calibration error' },
    ],
    async run(model, data, options = {}) {
      const sensitive = options.sensitive as SensitiveAttribute | undefined;
      if (sensitive === undefined) throw new LumenError('option', "group-fairness: expected a sensitive attribute (option 'sensitive'); found none");
      const pc = options.positiveClass as number | string | undefined;
      const positiveClass = typeof pc === 'string' && /^\d+$/.test(pc) ? Number(pc) : pc;
      return fairnessReport(model, data, { ...options, sensitive, ...(positiveClass !== undefined ? { positiveClass } : {}) });
    },
  },
];
