/** Registry entries of the propagation family (read by src/methods.ts). */
import type { MethodInfo } from '../../core/method-info.js';
import { deconvolution } from './deconvolution.js';
import { guidedBackprop } from './guided-backprop.js';

/** The fields every propagation entry shares; each entry states only what is its own. */
export function propagationEntry(entry: Omit<MethodInfo, 'family' | 'scope' | 'needsGradients' | 'inputKinds'> & Partial<Pick<MethodInfo, 'inputKinds'>>): MethodInfo {
  return { family: 'propagation', scope: 'local', needsGradients: true, inputKinds: ['any'], ...entry };
}

/** The propagation family's methods, in the order the README lists them. */
export const PROPAGATION_METHODS: readonly MethodInfo[] = [
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
];
