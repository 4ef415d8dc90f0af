/** Registry entries of the layer family (read by src/methods.ts). */
import type { LocalMethodInfo, OptionSpec } from '../../core/method-info.js';
import { PATH_RULES } from '../../core/path-weights.js';
import { layerConductance, type LayerConductanceOptions } from './layer-conductance.js';
import { neuronConductance, type NeuronConductanceOptions } from './neuron-conductance.js';

const pathOptions: readonly OptionSpec[] = [
  { name: 'baseline', type: 'baseline', default: 'zeros', doc: "'zeros', 'mean', 'blur', 'uniform' or a number" },
  { name: 'steps', type: 'integer', default: 50, doc: 'quadrature points on the path' },
  { name: 'rule', type: 'enum', values: PATH_RULES, default: 'riemann-trapezoid', doc: 'quadrature rule' },
];

/** The layer family's own methods (layer IG and layer activation live with the gradient methods). */
export const LAYER_METHODS: readonly LocalMethodInfo[] = [
  {
    id: 'layer-conductance',
    title: 'Layer conductance',
    family: 'layer',
    scope: 'local',
    needsGradients: true,
    layer: 'required',
    completeness: true,
    inputKinds: ['any'],
    paper: 'Dhamdhere et al., How Important Is a Neuron?, 2019',
    summary: "the target's flow through each unit of a layer along the integrated-gradients path; sums to f(x) − f(baseline)",
    options: pathOptions,
    run: (m, x, o) => layerConductance(m, x, o as LayerConductanceOptions),
  },
  {
    id: 'neuron-conductance',
    title: 'Neuron conductance',
    family: 'layer',
    scope: 'local',
    needsGradients: true,
    layer: 'required',
    completeness: false,
    inputKinds: ['any'],
    paper: 'Dhamdhere et al., How Important Is a Neuron?, 2019',
    summary: 'the part of each input feature’s integrated gradient that flows through one neuron of a layer',
    options: [{ name: 'neuron', type: 'integer', doc: "flat index of the neuron in one example's layer output" }, ...pathOptions],
    run: (m, x, o) => neuronConductance(m, x, o as NeuronConductanceOptions),
  },
];
