/** Registry entries of the propagation family (read by src/methods.ts). */
import type { LocalMethodInfo, OptionSpec } from '../../core/method-info.js';
import { deconvolution } from './deconvolution.js';
import { deepLift, type DeepLiftOptions } from './deep-lift.js';
import { deepLiftShap, type DeepLiftShapOptions } from './deep-lift-shap.js';
import { guidedBackprop } from './guided-backprop.js';

/** The fields every propagation entry shares; each entry states only what is its own. */
export function propagationEntry(entry: Omit<LocalMethodInfo, 'family' | 'scope' | 'needsGradients' | 'inputKinds'> & Partial<Pick<LocalMethodInfo, 'inputKinds'>>): LocalMethodInfo {
  return { family: 'propagation', scope: 'local', needsGradients: true, inputKinds: ['any'], ...entry };
}

/** The options DeepLIFT and DeepLIFT-SHAP share. */
const deepLiftOptions: readonly OptionSpec[] = [
  { name: 'rule', type: 'enum', values: ['rescale', 'reveal-cancel'], default: 'rescale', doc: "non-linearity rule; 'reveal-cancel' applies to activations after dense layers" },
  { name: 'multiplyByInputs', type: 'boolean', default: true, doc: 'multiply the multipliers by (x − baseline)' },
  { name: 'eps', type: 'number', default: 1e-10, doc: 'below this |Δx| a non-linearity passes its gradient' },
  { name: 'tolerance', type: 'number', default: 1e-3, doc: 'completeness gap allowed, relative to max(1, |f(x)|, |f(baseline)|)' },
  { name: 'strict', type: 'boolean', default: false, doc: 'fail instead of warning when the completeness gap exceeds the tolerance' },
];

/** The propagation family's methods, in the order the README lists them. */
export const PROPAGATION_METHODS: readonly LocalMethodInfo[] = [
  propagationEntry({
    id: 'guided-backprop',
    title: 'Guided backpropagation',
    layer: 'optional',
    completeness: false,
    paper: 'Springenberg et al., Striving for Simplicity: The All Convolutional Net, 2015',
    summary: 'the gradient with every ReLU passing back only positive signals where its input was positive',
    options: [],
    run: (m, x, o) => guidedBackprop(m, x, o),
  }),
  propagationEntry({
    id: 'deconvolution',
    title: 'Deconvnet',
    layer: 'optional',
    completeness: false,
    paper: 'Zeiler & Fergus, Visualizing and Understanding Convolutional Networks, 2014',
    summary: 'the gradient with every ReLU passing back the positive part of the signal, ignoring the forward mask',
    options: [],
    run: (m, x, o) => deconvolution(m, x, o),
  }),
  propagationEntry({
    id: 'deeplift',
    title: 'DeepLIFT',
    layer: 'optional',
    completeness: true,
    paper: 'Shrikumar et al., Learning Important Features Through Propagating Activation Differences, 2017',
    summary: '(x − baseline) ⊙ multipliers propagated with Δy/Δx at every non-linearity (rescale or reveal-cancel)',
    options: [{ name: 'baseline', type: 'baseline', default: 'zeros', doc: "'zeros', 'mean', 'blur', 'uniform' or a number" }, ...deepLiftOptions],
    run: (m, x, o) => deepLift(m, x, o as DeepLiftOptions),
  }),
  propagationEntry({
    id: 'deeplift-shap',
    title: 'DeepLIFT-SHAP',
    layer: 'optional',
    completeness: true,
    paper: 'Lundberg & Lee, A Unified Approach to Interpreting Model Predictions, 2017',
    summary: 'DeepLIFT averaged over a distribution of baselines',
    options: [
      { name: 'baselines', type: 'baseline', default: 'zeros', doc: "a tensor [K, ...] of reference examples, or a baseline kind ('uniform' draws `samples`)" },
      { name: 'samples', type: 'integer', default: 10, doc: "baselines drawn per example from 'uniform'" },
      ...deepLiftOptions,
    ],
    run: (m, x, o) => deepLiftShap(m, x, o as DeepLiftShapOptions),
  }),
];
