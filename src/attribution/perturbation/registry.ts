/** Registry entries of the perturbation family (read by src/methods.ts). */
import type { LocalMethodInfo, OptionSpec } from '../../core/method-info.js';
import { featureAblation, type FeatureAblationOptions } from './feature-ablation.js';
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
  doc: "features removed together: 'scalars', 'tokens', {patch: [h, w]} or a mask tensor (CLI: patch:HxW or a mask file, lumen explain --features)",
};
const outputKindOption: OptionSpec = {
  name: 'outputKind',
  type: 'enum',
  values: ['auto', 'probabilities', 'logits'],
  doc: "what the model returns (default the model's own kind, else auto; logits are softmaxed)",
  deprecatedNames: ['outputs'],
};

/** The fields every perturbation entry shares; each entry states only what is its own. */
function perturbationEntry(entry: Omit<LocalMethodInfo, 'family' | 'scope' | 'needsGradients' | 'layer' | 'completeness'> & Partial<Pick<LocalMethodInfo, 'needsGradients'>>): LocalMethodInfo {
  return { family: 'perturbation', scope: 'local', needsGradients: false, layer: 'none', completeness: false, ...entry };
}

/** The perturbation family's methods, in the order the README lists them. */
export const PERTURBATION_METHODS: readonly LocalMethodInfo[] = [
  perturbationEntry({
    id: 'occlusion',
    title: 'Occlusion',
    inputKinds: ['any'],
    paper: 'Zeiler & Fergus, Visualizing and Understanding Convolutional Networks, 2014',
    summary: 'mean drop of the target when a sliding window covering each value is set to the baseline (Captum window placement)',
    options: [
      { name: 'window', type: 'sizes', doc: 'window shape, e.g. 4x4 (every channel) or 3x3x1 (default: a ⌈min(H,W)/7⌉ square on images, one value otherwise)' },
      { name: 'strides', type: 'sizes', doc: 'window step, e.g. 2 (every axis) or 2x2 (default 1; with the default image window, half its side)' },
      baseline,
    ],
    run: (m, x, o) => occlusion(m, x, o as OcclusionOptions),
  }),
  perturbationEntry({
    id: 'feature-ablation',
    title: 'Feature ablation',
    inputKinds: ['any'],
    paper: 'Captum FeatureAblation; Li et al., Understanding Neural Networks through Representation Erasure, 2016',
    summary: 'drop of the target when each feature (a value or a group from a feature mask) is set to the baseline',
    options: [featureMaskOption, baseline],
    run: (m, x, o) => featureAblation(m, x, o as FeatureAblationOptions),
  }),
  perturbationEntry({
    id: 'feature-permutation',
    title: 'Feature permutation',
    inputKinds: ['any'],
    paper: 'Breiman, Random Forests, 2001; Fisher et al., All Models are Wrong, but Many are Useful, 2019',
    summary: "drop of the target when each feature's values are shuffled across the batch (seeded)",
    options: [featureMaskOption, { name: 'samples', type: 'integer', default: 1, doc: 'permutations per feature, averaged' }],
    run: (m, x, o) => featurePermutation(m, x, o as FeaturePermutationOptions),
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
    run: (m, x, o) => predictionDifference(m, x, o as PredictionDifferenceOptions),
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
