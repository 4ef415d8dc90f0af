import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { resolveBaseline } from '../../core/baseline.js';
import { check } from '../../core/errors.js';
import { accumulateGradients, straightPathPlan } from '../../core/gradients.js';
import type { Model } from '../../core/model.js';
import type { LayerOption, LocalOptions } from '../../core/options.js';
import { pathOptions, pathWeights, type PathOptions, type PathRule } from '../../core/path-weights.js';
import { prepareGradient } from '../../core/prepare.js';
import { completenessDelta } from '../../core/completeness.js';

/** Options of `integratedGradients`. */
export interface IntegratedGradientsOptions extends LocalOptions, LayerOption, PathOptions {
  /** Quadrature rule; default 'gauss-legendre' (Captum's default). */
  readonly rule?: PathRule;
  /** Multiply the path-averaged gradient by (x − baseline); default true. */
  readonly multiplyByInputs?: boolean;
}

/**
 * Integrated gradients: (x − x′) ⊙ ∫₀¹ ∂f(x′ + α(x − x′))/∂x dα (Sundararajan, Taly & Yan,
 * "Axiomatic Attribution for Deep Networks", 2017), by quadrature, with the convergence delta
 * Σ attribution − (f(x) − f(x′)) in `meta.delta`. With `layer`, it is layer integrated gradients
 * (the path runs through the layer's output).
 */
export async function integratedGradients(model: Model, input: tf.Tensor, options: IntegratedGradientsOptions = {}): Promise<Attribution> {
  const fn = 'integratedGradients';
  const { steps, rule } = pathOptions(options, 'gauss-legendre', fn);
  const ctx = await prepareGradient(model, input, options, fn);
  const path = pathWeights(rule, steps);
  const baselineInput = resolveBaseline(options.baseline, input, fn, options);
  const [xs, bs] = tf.tidy(() => [ctx.space.valuesAt(input), ctx.space.valuesAt(baselineInput)]);
  baselineInput.dispose();
  // Every example gets its quadrature rows plus two zero-weight rows at x and at the baseline,
  // whose target values give f(x) − f(x′) for the delta without another model call.
  const perExample = steps + 2;
  const total = ctx.n * perExample;
  const examples = new Int32Array(total);
  const alphas = new Float32Array(total);
  const weights = new Float32Array(total);
  for (let r = 0; r < total; r++) {
    const k = r % perExample;
    examples[r] = Math.floor(r / perExample);
    alphas[r] = k < steps ? path.alphas[k] : k === steps ? 1 : 0;
    weights[r] = k < steps ? path.weights[k] : 0;
  }
  const plan = { ...straightPathPlan(input, bs, xs, examples, alphas, weights), owned: [xs, bs] };
  const { sum, values, calls } = await accumulateGradients(ctx.space, plan, ctx.target, ctx.n, ctx.batchSize, options, fn);
  const multiply = options.multiplyByInputs ?? true;
  const attribution = multiply ? tf.tidy(() => sum.mul(xs.sub(bs))) : sum;
  const delta = await completenessDelta(attribution, (i) => values[i * perExample + steps] - values[i * perExample + steps + 1]);
  if (multiply) sum.dispose();
  tf.dispose([xs, bs]);
  return makeAttribution('integrated-gradients', attribution, ctx.target.classes, {
    delta: multiply ? delta : undefined,
    rule,
    steps,
    modelCalls: calls,
    ...(ctx.space.layer ? { layer: ctx.space.layer } : {}),
  });
}
