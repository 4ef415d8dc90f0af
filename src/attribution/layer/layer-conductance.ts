import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { resolveBaseline } from '../../core/baseline.js';
import { completenessDelta } from '../../core/completeness.js';
import { check } from '../../core/errors.js';
import { accumulateGradients, type RowPlan } from '../../core/gradients.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import { requireLayer } from '../../core/validate.js';
import { pathOptions, pathWeights, type PathOptions, type PathRule } from '../../core/path-weights.js';
import { prepareGradient } from '../../core/prepare.js';

/** Options of `layerConductance`; `layer` is required. */
export interface LayerConductanceOptions extends LocalOptions, PathOptions {
  /** The layer whose units get the conductance (its output). */
  readonly layer?: string;
  /** Path segments; the path is evaluated at steps + 1 points (Captum's n_steps); default 50. */
  readonly steps?: number;
  /**
   * The rule whose points (for steps + 1 points) place the path; default 'riemann-trapezoid' (evenly
   * spaced from 0 to 1, so the sum telescopes). Captum's default, Gauss–Legendre, does not span the
   * whole path, and its conductances do not add up to f(x) − f(baseline).
   */
  readonly rule?: PathRule;
}

/**
 * Layer conductance: Σ_k ∂f/∂h(p_k) ⊙ (h(p_{k+1}) − h(p_k)) along the input path
 * p_k = x′ + α_k(x − x′), the flow of the target through each unit h of a layer (Dhamdhere, Sundararajan
 * & Yan, "How Important Is a Neuron?", ICLR 2019; Captum's LayerConductance). Values have the
 * layer's shape; summed over the layer they approximate f(x) − f(x′), with the gap in `meta.delta`.
 */
export async function layerConductance(model: Model, input: tf.Tensor, options: LayerConductanceOptions = {}): Promise<Attribution> {
  const fn = 'layerConductance';
  const layer = requireLayer(model, options.layer, fn);
  const { steps, rule } = pathOptions(options, 'riemann-trapezoid', fn);
  const ctx = await prepareGradient(model, input, { ...options, layer }, fn);
  const points = pathWeights(rule, steps + 1).alphas;
  const baseline = resolveBaseline(options.baseline, input, fn, options);
  // Per example: `steps` segments (α_k → α_{k+1}), then zero-weight rows at x and at the baseline
  // whose target values give f(x) − f(x′) for the delta.
  const perExample = steps + 2;
  const total = ctx.n * perExample;
  const examples = new Int32Array(total);
  const from = new Float32Array(total);
  const to = new Float32Array(total);
  const weights = new Float32Array(total);
  for (let r = 0; r < total; r++) {
    const k = r % perExample;
    examples[r] = Math.floor(r / perExample);
    from[r] = k < steps ? points[k] : k === steps ? 1 : 0;
    to[r] = k < steps ? points[k + 1] : from[r];
    weights[r] = k < steps ? 1 : 0;
  }
  const plan: RowPlan = {
    examples,
    weights,
    rows(start, end) {
      const rows = end - start;
      const e = tf.tensor1d(examples.subarray(start, end), 'int32');
      const shape = [rows, ...input.shape.slice(1).map(() => 1)];
      const b = tf.gather(baseline, e);
      const d = tf.gather(input, e).sub(b);
      const p0 = b.add(d.mul(tf.tensor1d(from.subarray(start, end)).reshape(shape)));
      const p1 = b.add(d.mul(tf.tensor1d(to.subarray(start, end)).reshape(shape)));
      const [h0, h1] = tf.split(ctx.space.valuesAt(tf.concat([p0, p1])), 2);
      return { inputs: p0, points: h0, scale: h1.sub(h0) };
    },
  };
  try {
    const { sum, values, calls } = await accumulateGradients(ctx.space, plan, ctx.target, ctx.n, ctx.batchSize, options, fn);
    const delta = await completenessDelta(sum, (i) => values[i * perExample + steps] - values[i * perExample + steps + 1]);
    return makeAttribution('layer-conductance', sum, ctx.target.classes, { layer, delta, rule, steps, modelCalls: 2 * calls });
  } finally {
    baseline.dispose();
  }
}
