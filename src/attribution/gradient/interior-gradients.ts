import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { resolveBaseline, type Baseline } from '../../core/baseline.js';
import { check } from '../../core/errors.js';
import { accumulateGradients, straightPathPlan } from '../../core/gradients.js';
import type { Model } from '../../core/model.js';
import type { LayerOption, LocalOptions } from '../../core/options.js';
import { prepareGradient } from '../../core/prepare.js';

/** Options of `interiorGradients`. */
export interface InteriorGradientsOptions extends LocalOptions, LayerOption {
  /** The scaling α ∈ (0, 1] of the interior point x′ + α(x − x′); default 0.5. */
  readonly scale?: number;
  /** Where the scaling starts; default 'zeros' (α·x, as in the paper). */
  readonly baseline?: Baseline;
  /** Multiply the gradient by (x − x′); default false (the paper shows the raw gradient). */
  readonly multiplyByInputs?: boolean;
}

/**
 * Interior gradients: the gradient at a scaled-down input x′ + α(x − x′), which escapes the
 * saturation that makes plain gradients at x uninformative (Sundararajan, Taly & Yan,
 * "Gradients of Counterfactuals", 2016).
 */
export async function interiorGradients(model: Model, input: tf.Tensor, options: InteriorGradientsOptions = {}): Promise<Attribution> {
  const fn = 'interiorGradients';
  const scale = options.scale ?? 0.5;
  check(scale > 0 && scale <= 1, 'option', () => `${fn}: scale must lie in (0, 1]; found ${scale}`);
  const ctx = await prepareGradient(model, input, options, fn);
  const baselineInput = resolveBaseline(options.baseline, input, fn, options);
  const [xs, bs] = tf.tidy(() => [ctx.space.valuesAt(input), ctx.space.valuesAt(baselineInput)]);
  baselineInput.dispose();
  const examples = Int32Array.from({ length: ctx.n }, (_, i) => i);
  const plan = { ...straightPathPlan(input, bs, xs, examples, new Float32Array(ctx.n).fill(scale), new Float32Array(ctx.n).fill(1)), owned: [xs, bs] };
  const { sum, calls } = await accumulateGradients(ctx.space, plan, ctx.target, ctx.n, ctx.batchSize, options, fn);
  const values = options.multiplyByInputs ? tf.tidy(() => sum.mul(xs.sub(bs))) : sum;
  if (values !== sum) sum.dispose();
  tf.dispose([xs, bs]);
  return makeAttribution('interior-gradients', values, ctx.target.classes, { scale, modelCalls: calls, ...(ctx.space.layer ? { layer: ctx.space.layer } : {}) });
}
