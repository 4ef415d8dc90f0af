/** Registry entries of the surrogate family: Shapley values, KernelSHAP, LIME (read by src/methods.ts). */
import type * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../../core/attribution.js';
import { check } from '../../core/errors.js';
import type { LocalMethodInfo, MethodOptions, OptionSpec } from '../../core/method-info.js';
import type { Model } from '../../core/model.js';
import { superpixelBatch, type SuperpixelSpec } from '../../data/superpixels/superpixel-spec.js';
import type { CoalitionOptions } from './coalition-evaluator.js';
import { kernelShap, type KernelShapOptions } from './kernel-shap.js';
import { lime, type LimeOptions } from './lime.js';
import { shapleyValueSampling, type ShapleyValueSamplingOptions } from './shapley-value-sampling.js';
import { shapleyValues, type ShapleyValuesOptions } from './shapley-values.js';

const coalitionBaseline: OptionSpec = { name: 'baseline', type: 'baseline', default: 'zeros', doc: "what an absent feature becomes: 'zeros', 'mean', 'blur', 'uniform' or a number" };

function superpixelOption(fallback: SuperpixelSpec): OptionSpec {
  return {
    name: 'superpixels',
    type: 'string',
    default: superpixelSpecText(fallback),
    doc: "image inputs: the features are superpixels, a SuperpixelSpec (CLI: 'slic[:segments]' or 'felzenszwalb[:scale]'); tabular inputs: every column is a feature",
  };
}

/**
 * The entry's options made into the function's: a `superpixels` spec (or, for images given no
 * featureMask, the entry's default segmentation) becomes a featureMask computed from each image.
 * Text such as 'slic:50' is parsed by the CLI (src/cli/option-values.ts) before it gets here.
 */
function withSuperpixels(input: tf.Tensor, options: MethodOptions, fallback: SuperpixelSpec): MethodOptions & CoalitionOptions {
  const given = options.superpixels;
  check(given === undefined || isSuperpixelSpec(given), 'option', () =>
    `superpixels: expected a SuperpixelSpec {algorithm: 'slic' | 'felzenszwalb', parameter?}; found ${typeof given === 'string' ? `'${given}' (text is parsed by the CLI: parseSuperpixelSpec)` : typeof given}`);
  if (options.featureMask !== undefined) {
    check(given === undefined, 'option', () => `superpixels and featureMask both given; give one`);
    return options;
  }
  const isImage = input.rank === 4 && (input.shape[3] === 1 || input.shape[3] === 3);
  if (given === undefined && !isImage) return options;
  check(isImage, 'option', () => `superpixels: segments images [N, H, W, 1 or 3]; the input has shape [${input.shape}]`);
  const spec = given ?? fallback;
  return { ...options, featureMask: (x: tf.Tensor) => superpixelBatch(spec, x) };
}

function isSuperpixelSpec(v: unknown): v is SuperpixelSpec {
  if (typeof v !== 'object' || v === null) return false;
  const { algorithm, parameter } = v as Partial<SuperpixelSpec>;
  return (algorithm === 'slic' || algorithm === 'felzenszwalb') && (parameter === undefined || typeof parameter === 'number');
}

function superpixelSpecText(spec: SuperpixelSpec): string {
  return spec.parameter === undefined ? spec.algorithm : `${spec.algorithm}:${spec.parameter}`;
}

/** The fields every surrogate entry shares; each entry states only what is its own. */
function surrogateEntry(
  entry: Omit<LocalMethodInfo, 'family' | 'scope' | 'needsGradients' | 'layer' | 'inputKinds' | 'run'>,
  fallback: SuperpixelSpec,
  run: (model: Model, input: tf.Tensor, options: MethodOptions & CoalitionOptions) => Promise<Attribution>,
): LocalMethodInfo {
  return {
    family: 'surrogate',
    scope: 'local',
    needsGradients: false,
    layer: 'none',
    inputKinds: ['any'],
    ...entry,
    options: [coalitionBaseline, superpixelOption(fallback), ...entry.options],
    run: async (model, input, options = {}) => run(model, input, withSuperpixels(input, options, fallback)),
  };
}

const samplesOption = (def: number | string, doc: string): OptionSpec => ({ name: 'samples', type: 'integer', ...(typeof def === 'number' ? { default: def } : {}), doc });

/** The surrogate family's methods, in the order the README lists them. */
export const SURROGATE_METHODS: readonly LocalMethodInfo[] = [
  surrogateEntry(
    {
      id: 'shapley-values',
      title: 'Shapley values (exact)',
      completeness: true,
      paper: 'Shapley, A Value for n-Person Games, 1953; Štrumbelj & Kononenko, Explaining prediction models and individual predictions with feature contributions, 2014',
      summary: 'exact Shapley values of the features (each scalar, a group or a superpixel) with absent features at the baseline, from all 2^K coalitions',
      options: [{ name: 'enumerate', type: 'enum', values: ['subsets', 'permutations'], default: 'subsets', doc: 'sum over subsets (K ≤ 20) or over all K! orderings (K ≤ 10); same values' }],
    },
    { algorithm: 'slic', parameter: 12 },
    (m, x, o) => shapleyValues(m, x, o as ShapleyValuesOptions),
  ),
  surrogateEntry(
    {
      id: 'shapley-value-sampling',
      title: 'Shapley value sampling',
      completeness: true,
      paper: 'Castro et al., Polynomial calculation of the Shapley value based on sampling, 2009; Mitchell et al., Sampling Permutations for Shapley Value Estimation, 2022',
      summary: 'Shapley values estimated from seeded random feature orderings (with their reverses): unbiased, efficient for every ordering',
      options: [
        samplesOption(25, 'feature orderings per example (rounded up to even when antithetic)'),
        { name: 'antithetic', type: 'boolean', default: true, doc: 'pair each ordering with its reverse' },
      ],
    },
    { algorithm: 'slic', parameter: 50 },
    (m, x, o) => shapleyValueSampling(m, x, o as ShapleyValueSamplingOptions),
  ),
  surrogateEntry(
    {
      id: 'kernel-shap',
      title: 'KernelSHAP',
      completeness: true,
      paper: 'Lundberg & Lee, A Unified Approach to Interpreting Model Predictions, 2017',
      summary: 'Shapley values as the Shapley-kernel weighted least-squares fit over coalitions, efficiency enforced exactly; exact when every coalition fits the budget',
      options: [
        samplesOption('2K + 2048', 'coalitions per example besides ∅ and F (default 2K + 2048; ≥ 2^K − 2 is exact)'),
        { name: 'paired', type: 'boolean', default: true, doc: 'sample each coalition with its complement' },
      ],
    },
    { algorithm: 'slic', parameter: 50 },
    (m, x, o) => kernelShap(m, x, o as KernelShapOptions),
  ),
  surrogateEntry(
    {
      id: 'lime',
      title: 'LIME',
      completeness: false,
      paper: 'Ribeiro et al., "Why Should I Trust You?": Explaining the Predictions of Any Classifier, 2016',
      summary: 'coefficients of a kernel-weighted ridge surrogate fitted on seeded perturbations: quartile-discretised tabular sampling, or superpixels/tokens switched off; fidelity R² in meta',
      options: [
        { name: 'mode', type: 'enum', values: ['tabular', 'mask'], doc: "'tabular' (vectors without a feature mask) or 'mask' (images, tokens, groups)" },
        samplesOption('5000 or 1000', 'perturbed samples per example (default 5000 tabular, 1000 mask)'),
        { name: 'kernelWidth', type: 'number', doc: 'kernel width (default 0.75·√d tabular, 0.25 mask)' },
        { name: 'ridge', type: 'number', default: 1, doc: "ridge penalty α of the surrogate (lime's 1)" },
        { name: 'discretize', type: 'boolean', default: true, doc: 'tabular: quartile discretisation' },
      ],
    },
    { algorithm: 'slic', parameter: 50 },
    (m, x, o) => lime(m, x, o as LimeOptions),
  ),
];
