import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../../core/attribution.js';
import { completenessDelta } from '../../../core/completeness.js';
import { gradientAtInputs } from '../../../core/gradients.js';
import type { Model } from '../../../core/model.js';
import type { LocalOptions } from '../../../core/options.js';
import { prepareGradient } from '../../../core/prepare.js';
import { checkConservation, type CompletenessCheckOptions } from '../../../core/completeness-check.js';
import { canonize, MERGE_BATCH_NORM } from './merge-batch-norm.js';
import { compositeRuleSet } from './composites.js';
import { lrpComposite, type LrpRuleOptions } from './lrp-composite.js';

/** Options of `lrp`: which rules (see `LrpRuleOptions`), canonizers, and the completeness check. */
export interface LrpOptions extends LocalOptions, LrpRuleOptions, CompletenessCheckOptions {
  /** Fold each batch norm into the linear layer before it (zennit's SequentialMergeBatchNorm); default false. */
  readonly canonize?: boolean;
}

/**
 * Layer-wise relevance propagation (Bach et al., "On Pixel-Wise Explanations for Non-Linear
 * Classifier Decisions by Layer-Wise Relevance Propagation", 2015; Montavon et al., "Layer-wise
 * Relevance Propagation: An Overview", 2019): the target output f_c(x) is redistributed layer by
 * layer down to the input by each layer's rule (ε, γ, αβ, z⁺, zᴮ, flat, w², Pass, Norm), chosen by a
 * composite as in Zennit; by default Captum's LRP rules (ε = 1e-9). The relevance runs through the
 * gradient engine, as zennit's `Gradient(model, composite)(x, one_hot · f_c(x))`. `meta.delta` is
 * Σ relevance − f_c(x) per example; a gap above `tolerance` adds a warning (an error when `strict`).
 */
export async function lrp(model: Model, input: tf.Tensor, options: LrpOptions = {}): Promise<Attribution> {
  const fn = 'lrp';
  const composite = lrpComposite(options, fn, model.layers.map((l) => l.name));
  const ruled = options.canonize ? canonize(model, [MERGE_BATCH_NORM]) : model;
  const ctx = await prepareGradient(ruled, input, { ...options, layer: undefined }, fn, compositeRuleSet(composite));
  const at = tf.tidy(() => ctx.space.valuesAt(input));
  let relevance: tf.Tensor | null = null;
  try {
    const { sum, values, calls } = await gradientAtInputs(ctx.space, input, at, ctx.target, ctx.batchSize, options, fn);
    // The rules are linear in the relevance, so seeding one_hot · f_c(x) is scaling by f_c(x).
    relevance = tf.tidy(() => tf.mul(sum, tf.tensor1d(values).reshape([ctx.n, ...input.shape.slice(1).map(() => 1)])));
    sum.dispose();
    const delta = await completenessDelta(relevance, (i) => values[i]);
    const warnings = checkConservation(fn, delta, values, options, `composite '${composite.name}' need not conserve relevance (biases absorb it; αβ with α − β ≠ 1, γ, w² and flat redistribute it); see meta.delta`);
    const result = makeAttribution('lrp', relevance, ctx.target.classes, {
      delta,
      composite: composite.name,
      canonized: options.canonize === true,
      modelCalls: calls,
      ...(warnings.length ? { warnings } : {}),
    });
    relevance = null;
    return result;
  } finally {
    at.dispose();
    relevance?.dispose();
  }
}
