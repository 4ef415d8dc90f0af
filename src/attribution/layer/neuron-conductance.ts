import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { resolveBaseline } from '../../core/baseline.js';
import { check } from '../../core/errors.js';
import { accumulateGradients, gradientSpace, straightPathPlan, type GradientSpace } from '../../core/gradients.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import { requireLayer } from '../../core/validate.js';
import { pathOptions, pathWeights, type PathOptions, type PathRule } from '../../core/path-weights.js';
import { prepareGradient } from '../../core/prepare.js';
import { withInputGradientsOnly } from '../../engine/input-gradients-only.js';

/** Options of `neuronConductance`; `layer` and `neuron` are required. */
export interface NeuronConductanceOptions extends LocalOptions, PathOptions {
  /** The layer that holds the neuron (its output). */
  readonly layer?: string;
  /** The neuron: a flat index into one example's layer output, or one index per axis of it (Captum's neuron_selector). */
  readonly neuron?: number | readonly number[];
  /** Quadrature rule; default 'riemann-trapezoid' (as layer conductance). */
  readonly rule?: PathRule;
  /** Multiply by (x − baseline); default true. */
  readonly multiplyByInputs?: boolean;
}

/**
 * Neuron conductance: (x − x′) ⊙ ∫₀¹ ∂f/∂h_n · ∂h_n/∂x dα along p = x′ + α(x − x′), the part of the
 * target's flow from each input feature that passes through one neuron h_n (Dhamdhere, Sundararajan
 * & Yan, "How Important Is a Neuron?", ICLR 2019; Captum's NeuronConductance), by quadrature.
 * Values have the input's shape.
 */
export async function neuronConductance(model: Model, input: tf.Tensor, options: NeuronConductanceOptions = {}): Promise<Attribution> {
  const fn = 'neuronConductance';
  const layer = requireLayer(model, options.layer, fn);
  const { steps, rule } = pathOptions(options, 'riemann-trapezoid', fn);
  const ctx = await prepareGradient(model, input, { ...options, layer }, fn);
  const neuron = neuronIndex(model, layer, options.neuron, fn);
  const path = pathWeights(rule, steps);
  const total = ctx.n * steps;
  const examples = Int32Array.from({ length: total }, (_, r) => Math.floor(r / steps));
  const alphas = Float32Array.from({ length: total }, (_, r) => path.alphas[r % steps]);
  const weights = Float32Array.from({ length: total }, (_, r) => path.weights[r % steps]);
  const baseline = resolveBaseline(options.baseline, input, fn, options);
  try {
    const plan = straightPathPlan(input, baseline, input, examples, alphas, weights);
    const space = throughNeuron(model, layer, neuron);
    const { sum, calls } = await accumulateGradients(space, plan, ctx.target, ctx.n, ctx.batchSize, options, fn);
    const multiply = options.multiplyByInputs ?? true;
    const values = multiply ? tf.tidy(() => sum.mul(input.sub(baseline))) : sum;
    if (multiply) sum.dispose();
    return makeAttribution('neuron-conductance', values, ctx.target.classes, { layer, neuron, rule, steps, modelCalls: 2 * calls });
  } finally {
    baseline.dispose();
  }
}

/** The flat index of the neuron within one example's layer output, checked against the layer's shape. */
function neuronIndex(model: Model, layer: string, neuron: number | readonly number[] | undefined, fn: string): number {
  const shape = (model.layers.find((l) => l.name === layer)?.outputShape ?? []).map((d) => d ?? -1);
  const size = shape.reduce((a, b) => a * b, 1);
  check(neuron !== undefined, 'option', () => `${fn}: the 'neuron' option is required: an index into layer '${layer}' of shape [${shape}]`);
  if (typeof neuron === 'number') {
    check(Number.isInteger(neuron) && neuron >= 0 && (size < 0 || neuron < size), 'option', () =>
      `${fn}: neuron ${neuron} is out of range for layer '${layer}' of shape [${shape}] (${size} units)`);
    return neuron;
  }
  check(neuron.length === shape.length && neuron.every((v, i) => Number.isInteger(v) && v >= 0 && v < shape[i]), 'option', () =>
    `${fn}: neuron [${neuron}] must index layer '${layer}' of shape [${shape}]`);
  return neuron.reduce((flat, v, i) => flat * shape[i] + v, 0);
}

/** A gradient space over the input whose gradient is ∂f/∂h_n · ∂h_n/∂x, the path through neuron n alone. */
function throughNeuron(model: Model, layer: string, neuron: number): GradientSpace {
  const layerSpace = gradientSpace(model, layer);
  return {
    layer: null,
    valuesAt: (x) => x.clone(),
    gradient(_inputs, points, target, examples) {
      const rows = points.shape[0];
      const pick = (h: tf.Tensor): tf.Tensor => h.reshape([rows, -1]).slice([0, neuron], [rows, 1]);
      // one taped pass gives ∂h_n/∂x and (kept out of its scope) the layer's output h at the points
      let at: tf.Tensor | null = null;
      const { value: picked, grad: dh } = withInputGradientsOnly(() =>
        tf.valueAndGrad((p: tf.Tensor) => {
          const h = model.run(p, { capture: [layer] }).captured[layer];
          at = tf.keep(h.clone());
          return pick(h).sum();
        })(points));
      picked.dispose();
      const layerValues = at as unknown as tf.Tensor;
      const { grad: df, value } = layerSpace.gradient(points, layerValues, target, examples);
      layerValues.dispose();
      const grad = dh.mul(pick(df).reshape([rows, ...points.shape.slice(1).map(() => 1)]));
      return { grad, value };
    },
  };
}
