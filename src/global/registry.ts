/** Registry entries of the global-curves family: partial dependence / ICE and ALE (read by src/methods.ts). */
import { check } from '../core/errors.js';
import type { GlobalMethodInfo, MethodOptions, OptionSpec } from '../core/method-info.js';
import { accumulatedLocalEffects, type AccumulatedLocalEffectsOptions } from './accumulated-local-effects.js';
import { aleExplanation } from './ale-explanation.js';
import { featureList, percentilePair } from './registry-options.js';
import { partialDependence, type PartialDependenceOptions } from './partial-dependence.js';
import { partialDependenceExplanation } from './partial-dependence-explanation.js';
import type { CurveOptions } from './model-responses.js';

const response: OptionSpec = { name: 'response', type: 'enum', values: ['auto', 'probabilities', 'raw'], default: 'auto', doc: 'what is plotted: probabilities (softmax of logits) or the raw outputs; auto: probabilities for 2+ outputs' };

/** The shared curve options of a registry call: the target must be output columns, not 'predicted' or a function. */
function curveOptions(options: MethodOptions, fn: string): CurveOptions {
  const { target } = options;
  check(target === undefined || typeof target === 'number' || (Array.isArray(target) && target.every((t) => typeof t === 'number')), 'target', () =>
    `${fn}: a global curve's target is an output column or a list of them (default all); found ${typeof target === 'function' ? 'a function' : JSON.stringify(target)}`);
  return { ...options, target: target as CurveOptions['target'], response: options.response as CurveOptions['response'] };
}

/** The entry fields PD and ALE share. */
const base = { family: 'global', scope: 'global', needsGradients: false, layer: 'none', completeness: false, inputKinds: ['tabular'] } as const;

/** PD/ICE and ALE: model-agnostic curves of a model's response over a tabular Dataset. */
export const GLOBAL_CURVE_METHODS: readonly GlobalMethodInfo[] = [
  {
    ...base,
    id: 'partial-dependence',
    title: 'Partial dependence / ICE',
    paper: 'Friedman 2001; Goldstein et al. 2015',
    summary: "the model's mean response (and each row's) as one or two features sweep a grid",
    options: [
      { name: 'features', type: 'string', doc: 'one or two features: indices or names, comma-separated (e.g. 2 or 0,bill_depth_mm)' },
      { name: 'kind', type: 'enum', values: ['average', 'individual', 'both'], default: 'average', doc: 'PD, ICE or both' },
      { name: 'gridResolution', type: 'integer', default: 100, doc: 'grid points per feature (fewer distinct values: those)' },
      { name: 'percentiles', type: 'string', default: '0.05,0.95', doc: 'the quantiles the grid spans (mquantiles, as scikit-learn)' },
      response,
    ],
    async run(model, data, options = {}) {
      const fn = 'partialDependence';
      const lists = { features: featureList(options.features, fn), percentiles: percentilePair(options.percentiles, fn) };
      const pd = await partialDependence(model, data, { ...(options as unknown as PartialDependenceOptions), ...curveOptions(options, fn), ...lists } as PartialDependenceOptions);
      return partialDependenceExplanation(pd, data.classNames);
    },
  },
  {
    ...base,
    id: 'ale',
    title: 'Accumulated local effects',
    paper: 'Apley & Zhu 2020',
    summary: 'centred accumulated effects of each feature over an adaptive quantile grid (alibi)',
    options: [
      { name: 'features', type: 'string', doc: 'the features: indices or names, comma-separated (default all)' },
      { name: 'minBinPoints', type: 'integer', default: 4, doc: 'an adaptive bin holds more than this many rows' },
      { name: 'lowResolutionThreshold', type: 'integer', default: 10, doc: 'a feature with at most this many values uses them as grid' },
      response,
    ],
    async run(model, data, options = {}) {
      const fn = 'accumulatedLocalEffects';
      const ale = await accumulatedLocalEffects(model, data, { ...(options as unknown as AccumulatedLocalEffectsOptions), ...curveOptions(options, fn), features: featureList(options.features, fn) });
      return aleExplanation(ale, data.classNames);
    },
  },
];
