/** Registry entries of the perturbation family (read by src/methods.ts). */
import type * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../core/errors.js';
import type { MethodInfo, MethodOptions, OptionSpec } from '../../core/method-info.js';
import { featureAblation, type FeatureAblationOptions } from './feature-ablation.js';
import type { FeatureMask } from '../../core/perturbation/feature-mask.js';
import { featurePermutation, type FeaturePermutationOptions } from './feature-permutation.js';
import { leaveOneOut, type LeaveOneOutOptions } from './leave-one-out.js';
import { meaningfulPerturbation, type MeaningfulPerturbationOptions } from './meaningful-perturbation.js';
import { occlusion, type OcclusionOptions } from './occlusion.js';
import { predictionDifference, type PredictionDifferenceOptions } from './prediction-difference.js';
import { rise, type RiseOptions } from './rise.js';

const baseline: OptionSpec = { name: 'baseline', type: 'baseline', default: 'zeros', doc: "what removed values become: 'zeros', 'mean', 'blur', 'uniform' or a number" };
const featureMaskOption: OptionSpec = {
  name: 'featureMask',
  type: 'string',
  default: 'scalars',
  doc: "features removed together: 'scalars', 'tokens', 'patch:HxW', or a mask file (lumen explain --features)",
};
const outputKindOption: OptionSpec = {
  name: 'outputKind',
  type: 'enum',
  values: ['auto', 'probabilities', 'logits'],
  doc: "what the model returns (default the model's own kind, else auto; logits are softmaxed)",
  deprecatedNames: ['outputs'],
};

/** Sizes written `4x4` (or `4x4x1`, or `4`) as numbers. */
function sizes(text: string, what: string): number[] {
  const parts = text.split(/[x×,]/).map((s) => Number(s.trim()));
  if (parts.length === 0 || parts.some((v) => !Number.isInteger(v) || v < 1)) throw new LumenError('option', `${what}: expected sizes such as 4x4; found '${text}'`);
  return parts;
}

/**
 * A feature mask as the registry receives it: a FeatureMask, or text — `'scalars'`, `'tokens'`,
 * `'patch:HxW'` (files are read by the CLI's `--features`).
 */
export function featureMaskOf(value: unknown): FeatureMask | undefined {
  if (value === undefined || value === 'scalars' || value === 'tokens') return value as FeatureMask | undefined;
  if (typeof value === 'string') {
    const m = /^patch:(.+)$/.exec(value);
    if (m) return { patch: sizes(m[1], 'featureMask') };
    throw new LumenError('option', `featureMask: expected 'scalars', 'tokens', 'patch:HxW' or a mask tensor; found '${value}'`);
  }
  return value as FeatureMask;
}

/**
 * Occlusion's window as the registry receives it: an array, `'HxW'`, or `'auto'` (default): on
 * images a square of side ⌈min(H, W)/7⌉ over every channel, slid by half its side; on other inputs
 * one scalar at a time.
 */
export function occlusionWindowOf(x: tf.Tensor, o: MethodOptions): Pick<OcclusionOptions, 'window' | 'strides'> {
  const shape = x.shape.slice(1);
  const given = o.window;
  const parsed = typeof o.strides === 'string' ? sizes(o.strides, 'strides') : undefined;
  const strides = parsed ? (parsed.length === 1 ? parsed[0] : parsed) : (o.strides as OcclusionOptions['strides']);
  if (Array.isArray(given)) return { window: given as number[], strides };
  if (typeof given === 'string' && given !== 'auto') return { window: sizes(given, 'window'), strides };
  if (shape.length === 3) {
    const side = Math.max(1, Math.ceil(Math.min(shape[0], shape[1]) / 7));
    return { window: [side, side], strides: strides ?? Math.max(1, Math.ceil(side / 2)) };
  }
  return { window: shape.map(() => 1), strides };
}

/** The fields every perturbation entry shares; each entry states only what is its own. */
function perturbationEntry(entry: Omit<MethodInfo, 'family' | 'scope' | 'needsGradients' | 'layer' | 'completeness'> & Partial<Pick<MethodInfo, 'needsGradients'>>): MethodInfo {
  return { family: 'perturbation', scope: 'local', needsGradients: false, layer: 'none', completeness: false, ...entry };
}

/** The perturbation family's methods, in the order the README lists them. */
export const PERTURBATION_METHODS: readonly MethodInfo[] = [
  perturbationEntry({
    id: 'occlusion',
    title: 'Occlusion',
    inputKinds: ['any'],
    paper: 'Zeiler & Fergus, Visualizing and Understanding Convolutional Networks, 2014',
    summary: 'mean drop of the target when a sliding window covering each value is set to the baseline (Captum window placement)',
    options: [
      { name: 'window', type: 'string', default: 'auto', doc: "window shape, e.g. 4x4 (every channel) or 3x3x1; 'auto': ⌈min(H,W)/7⌉ square on images, one value otherwise" },
      { name: 'strides', type: 'string', doc: "window step per axis, e.g. 2 or 2x2 (default 1; 'auto' windows: half the side)" },
      baseline,
    ],
    run: (m, x, o = {}) => occlusion(m, x, { ...o, ...occlusionWindowOf(x, o) } as OcclusionOptions),
  }),
  perturbationEntry({
    id: 'feature-ablation',
    title: 'Feature ablation',
    inputKinds: ['any'],
    paper: 'Captum FeatureAblation; Li et al., Understanding Neural Networks through Representation Erasure, 2016',
    summary: 'drop of the target when each feature (a value or a group from a feature mask) is set to the baseline',
    options: [featureMaskOption, baseline],
    run: (m, x, o = {}) => featureAblation(m, x, { ...o, featureMask: featureMaskOf(o.featureMask) } as FeatureAblationOptions),
  }),
  perturbationEntry({
    id: 'feature-permutation',
    title: 'Feature permutation',
    inputKinds: ['any'],
    paper: 'Breiman, Random Forests, 2001; Fisher et al., All Models are Wrong, but Many are Useful, 2019',
    summary: "drop of the target when each feature's values are shuffled across the batch (seeded)",
    options: [featureMaskOption, { name: 'samples', type: 'integer', default: 1, doc: 'permutations per feature, averaged' }],
    run: (m, x, o = {}) => featurePermutation(m, x, { ...o, featureMask: featureMaskOf(o.featureMask) } as FeaturePermutationOptions),
  }),
  perturbationEntry({
    id: 'leave-one-out',
    title: 'Leave-one-out / representation erasure',
    inputKinds: ['text'],
    paper: 'Li et al., Understanding Neural Networks through Representation Erasure, 2016',
    summary: 'drop of the target when each token (or embedding dimension) of a sequence is erased',
    options: [
      { name: 'unit', type: 'enum', values: ['token', 'dimension'], default: 'token', doc: 'erase tokens, or embedding dimensions of [N,T,E] inputs' },
      { name: 'erase', type: 'enum', values: ['replace', 'delete'], default: 'replace', doc: 'replace by the baseline, or delete and shift left' },
      baseline,
      { name: 'padValue', type: 'number', doc: 'padding id of [N,T] sequences: not erased; delete pads with it' },
      { name: 'relative', type: 'boolean', default: false, doc: 'importance relative to f(x)' },
    ],
    run: (m, x, o) => leaveOneOut(m, x, o as LeaveOneOutOptions),
  }),
  perturbationEntry({
    id: 'prediction-difference',
    title: 'Prediction difference analysis',
    inputKinds: ['image', 'tabular'],
    paper: 'Zintgraf et al., Visualizing Deep Neural Network Decisions: Prediction Difference Analysis, 2017',
    summary: 'weight of evidence (log-odds) lost when a window is imputed by marginal or conditional sampling',
    options: [
      { name: 'sampling', type: 'enum', values: ['marginal', 'conditional'], doc: 'imputation (default: conditional on images, marginal otherwise)' },
      { name: 'window', type: 'integer', doc: 'side k of the window on images (default ⌈min(H,W)/7⌉)' },
      { name: 'strides', type: 'integer', default: 1, doc: 'window step on images', deprecatedNames: ['stride'] },
      { name: 'padding', type: 'integer', default: 2, doc: 'frame around the window for conditional sampling' },
      { name: 'samples', type: 'integer', default: 10, doc: 'imputations per window' },
      featureMaskOption,
      outputKindOption,
      { name: 'trainingSize', type: 'number', doc: 'N of the Laplace correction (pN + 1)/(N + K)' },
    ],
    run: (m, x, o = {}) => predictionDifference(m, x, { ...o, featureMask: featureMaskOf(o.featureMask) } as PredictionDifferenceOptions),
  }),
  perturbationEntry({
    id: 'meaningful-perturbation',
    title: 'Meaningful perturbation',
    needsGradients: true,
    inputKinds: ['image'],
    paper: 'Fong & Vedaldi, Interpretable Explanations of Black Boxes by Meaningful Perturbation, 2017',
    summary: 'smallest smooth mask whose blur/constant/noise deletion removes the class, learned with Adam; shows 1 − mask',
    options: [
      { name: 'perturbation', type: 'enum', values: ['blur', 'constant', 'noise'], default: 'blur', doc: 'what deleted regions become' },
      { name: 'steps', type: 'integer', default: 300, doc: 'Adam iterations' },
      { name: 'learningRate', type: 'number', default: 0.1, doc: 'Adam step size' },
      { name: 'areaWeight', type: 'number', default: 0.05, doc: 'λ₁ of mean|1 − m|' },
      { name: 'tvWeight', type: 'number', default: 0.2, doc: 'λ₂ of the total variation' },
      { name: 'tvBeta', type: 'number', default: 3, doc: 'β of the total variation' },
      { name: 'maskSize', type: 'integer', doc: 'mask side before upsampling (default ⌈max(H,W)/8⌉, at least 7)' },
      { name: 'blurSigma', type: 'number', doc: 'σ of the blur in pixels (default max(H,W)/22)' },
      { name: 'stdev', type: 'number', doc: 'σ of the noise (default 0.2 × range)', deprecatedNames: ['noiseStd'] },
      { ...baseline, default: 'mean', doc: "replacement of the 'constant' perturbation" },
      outputKindOption,
    ],
    run: (m, x, o) => meaningfulPerturbation(m, x, o as MeaningfulPerturbationOptions),
  }),
  perturbationEntry({
    id: 'rise',
    title: 'RISE',
    inputKinds: ['image'],
    paper: 'Petsiuk et al., RISE: Randomized Input Sampling for Explanation of Black-box Models, 2018',
    summary: 'target score averaged over random smooth masks, weighted by each mask (seeded, batched)',
    options: [
      { name: 'samples', type: 'integer', default: 1000, doc: 'number of random masks' },
      { name: 'gridSize', type: 'integer', default: 7, doc: 'side of the random binary grid' },
      { name: 'probability', type: 'number', default: 0.5, doc: 'probability a grid cell is kept' },
      baseline,
    ],
    run: (m, x, o) => rise(m, x, o as RiseOptions),
  }),
];
