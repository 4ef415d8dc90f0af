/** Registry entries of the gradient family (read by src/methods.ts). */
import { gradientShap, type GradientShapOptions } from './gradient-shap.js';
import { inputXGradient } from './input-x-gradient.js';
import { integratedGradients, type IntegratedGradientsOptions } from './integrated-gradients.js';
import { interiorGradients, type InteriorGradientsOptions } from './interior-gradients.js';
import { layerActivation } from './layer-activation.js';
import { noiseTunnel, type NoiseTunnelKind, type NoiseTunnelOptions } from './noise-tunnel.js';
import { saliency, type SaliencyOptions } from './saliency.js';
import { check } from '../../core/errors.js';
import type { LocalMethodInfo, MethodLookup, MethodOptions, OptionSpec } from '../../core/method-info.js';
import { PATH_RULES } from '../../core/path-weights.js';

export const baselineOption: OptionSpec = { name: 'baseline', type: 'baseline', default: 'zeros', doc: "'zeros', 'mean', 'blur', 'uniform' or a number" };
const pathOptions: readonly OptionSpec[] = [
  baselineOption,
  { name: 'steps', type: 'integer', default: 50, doc: 'quadrature points on the path' },
  { name: 'rule', type: 'enum', values: PATH_RULES, default: 'gauss-legendre', doc: 'quadrature rule' },
];
const tunnelOptions: readonly OptionSpec[] = [
  { name: 'method', type: 'string', default: 'saliency', doc: 'the local method run on the noisy copies' },
  { name: 'samples', type: 'integer', default: 10, doc: 'noisy copies per example' },
  { name: 'stdev', type: 'number', doc: 'absolute noise standard deviation (default: noiseLevel × range)' },
  { name: 'noiseLevel', type: 'number', default: 0.15, doc: "noise σ relative to each example's range" },
];

/** The fields every gradient-family entry shares; each entry states only what is its own. */
function gradientEntry(entry: Omit<LocalMethodInfo, 'family' | 'scope' | 'needsGradients' | 'layer' | 'inputKinds'> & Partial<Pick<LocalMethodInfo, 'family' | 'layer'>>): LocalMethodInfo {
  return { family: 'gradient', scope: 'local', needsGradients: true, layer: 'optional', inputKinds: ['any'], ...entry };
}

/**
 * A noise-tunnel entry: runs the entry `options.method` names (saliency by default) on noisy copies.
 * `lookup` finds that entry; it is the registry's own `methodById`, passed in by src/methods.ts so
 * this file does not import the registry that lists it.
 */
function tunnel(kind: NoiseTunnelKind, title: string, paper: string, summary: string, lookup: MethodLookup): LocalMethodInfo {
  return gradientEntry({
    id: kind,
    title,
    completeness: false,
    paper,
    summary,
    options: tunnelOptions,
    // The inner method runs with its own defaults, as through the library: SmoothGrad of saliency
    // averages absolute gradients, as Captum's NoiseTunnel(Saliency) does (Saliency's abs=True).
    async run(model, input, options = {}) {
      const innerId = typeof options.method === 'string' ? options.method : 'saliency';
      const inner = lookup(innerId);
      check(inner.scope === 'local', 'option', () => `${kind}: method must be a local method; '${innerId}' is ${inner.scope}`);
      const wrapped = noiseTunnel<MethodOptions>((m, x, o) => inner.run(m, x, o), {
        kind,
        samples: options.samples as number | undefined,
        stdev: options.stdev as number | undefined,
        noiseLevel: options.noiseLevel as number | undefined,
        seed: options.seed,
      } satisfies NoiseTunnelOptions);
      return wrapped(model, input, options);
    },
  });
}

/**
 * The gradient family's methods, in the order the README lists them; `lookup` finds the methods
 * the noise-tunnel entries wrap (src/methods.ts passes its `methodById`).
 */
export function gradientMethods(lookup: MethodLookup): readonly LocalMethodInfo[] {
  return [
    gradientEntry({
      id: 'saliency',
      title: 'Saliency',
      completeness: false,
      paper: 'Simonyan et al., Deep Inside Convolutional Networks, 2014',
      summary: 'the gradient of the target (absolute, signed or squared); with a layer, the layer gradient',
      options: [{ name: 'mode', type: 'enum', values: ['absolute', 'signed', 'squared'], default: 'absolute', doc: 'how the gradient is shown' }],
      run: (m, x, o) => saliency(m, x, o as SaliencyOptions),
    }),
    gradientEntry({
      id: 'input-x-gradient',
      title: 'Input × gradient',
      completeness: false,
      paper: 'Shrikumar et al., Not Just a Black Box, 2016',
      summary: 'x ⊙ ∂f/∂x; with a layer, layer gradient × activation',
      options: [],
      run: (m, x, o) => inputXGradient(m, x, o),
    }),
    gradientEntry({
      id: 'integrated-gradients',
      title: 'Integrated gradients',
      completeness: true,
      paper: 'Sundararajan et al., Axiomatic Attribution for Deep Networks, 2017',
      summary: 'path integral of gradients from a baseline, with the convergence delta; with a layer, layer IG',
      options: [...pathOptions, { name: 'multiplyByInputs', type: 'boolean', default: true, doc: 'multiply by (x − baseline)' }],
      run: (m, x, o) => integratedGradients(m, x, o as IntegratedGradientsOptions),
    }),
    gradientEntry({
      id: 'interior-gradients',
      title: 'Interior gradients',
      completeness: false,
      paper: 'Sundararajan et al., Gradients of Counterfactuals, 2016',
      summary: 'the gradient at a scaled-down input x′ + α(x − x′)',
      options: [baselineOption, { name: 'scale', type: 'number', default: 0.5, doc: 'the scaling α in (0, 1]' }],
      run: (m, x, o) => interiorGradients(m, x, o as InteriorGradientsOptions),
    }),
    gradientEntry({
      id: 'gradient-shap',
      title: 'GradientSHAP / expected gradients',
      completeness: true,
      paper: 'Lundberg & Lee, 2017; Erion et al., Expected Gradients, 2021',
      summary: 'expected (x − x′) ⊙ gradient over random baselines, path points and input noise',
      options: [
        { name: 'baselines', type: 'baseline', default: 'zeros', doc: 'a baseline or a tensor [K, ...] of reference examples' },
        { name: 'samples', type: 'integer', default: 5, doc: 'samples per example' },
        { name: 'stdev', type: 'number', default: 0, doc: 'input noise standard deviation' },
      ],
      run: (m, x, o) => gradientShap(m, x, o as GradientShapOptions),
    }),
    tunnel('smoothgrad', 'SmoothGrad', 'Smilkov et al., SmoothGrad, 2017', 'mean of a method over noisy copies of the input', lookup),
    tunnel('smoothgrad-sq', 'SmoothGrad²', 'Hooker et al., A Benchmark for Interpretability Methods, 2019', 'mean of squares over noisy copies', lookup),
    tunnel('vargrad', 'VarGrad', 'Adebayo et al., Local Explanation Methods for Deep Neural Networks Lack Sensitivity to Parameter Values, 2018', 'variance over noisy copies', lookup),
    gradientEntry({
      id: 'layer-activation',
      title: 'Layer activation',
      family: 'layer',
      layer: 'required',
      completeness: false,
      paper: 'Captum LayerActivation (Kokhlikyan et al., 2020)',
      summary: "a layer's output for each example",
      options: [],
      run: (m, x, o) => layerActivation(m, x, o),
    }),
  ];
}
