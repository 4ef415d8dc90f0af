import * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import type { Explainer, MetricOptions, MetricResult } from './result.js';
import { explainRows, metricResult, prepareMetric } from './shared.js';

/** Options of `inputInvariance`. */
export interface InputInvarianceOptions extends MetricOptions {
  /** The constant shift added to the input (default 1). */
  readonly shift?: number;
}

/**
 * The model f′(x) = f(x − shift): the same network with its first layer's bias compensating a
 * shifted input, as Kindermans et al. build it.
 */
export function shiftedModel(model: Model, shift: number): Model {
  return {
    ...model,
    name: `${model.name}+shift`,
    async predict(x) {
      const moved = tf.sub(x, shift);
      try {
        return await model.predict(moved);
      } finally {
        moved.dispose();
      }
    },
    run(x, options) {
      return model.run(tf.sub(x, shift), options);
    },
  };
}

/**
 * Input invariance (Kindermans et al., "The (Un)reliability of Saliency Methods", 2019): explains
 * f at x and the shifted model f′ at x + shift, which computes exactly the same outputs; an
 * input-invariant method gives the same attribution. The score is max|a − a′| / max|a| per example
 * (lower is better; 0 is invariant).
 */
export async function inputInvariance(model: Model, input: tf.Tensor, method: Explainer, options: InputInvarianceOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'inputInvariance');
  const shift = options.shift ?? 1;
  const examples = Int32Array.from({ length: ctx.n }, (_, i) => i);
  const a = await explainRows(ctx, method, input, examples);
  const shifted = tf.tidy(() => input.add(shift));
  const b = await explainRows({ ...ctx, model: shiftedModel(model, shift) }, method, shifted, examples).finally(() => shifted.dispose());
  ctx.calls++;
  const scores = a.map((v, i) => {
    const scale = v.reduce((m, t) => Math.max(m, Math.abs(t)), 0);
    const diff = v.reduce((m, t, f) => Math.max(m, Math.abs(t - b[i][f])), 0);
    return diff / Math.max(scale, 1e-12);
  });
  return metricResult(ctx, 'input-invariance', 'lower', scores);
}
