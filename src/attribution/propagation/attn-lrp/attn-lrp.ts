import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../../core/attribution.js';
import { batchSizeOf, checkAborted, forEachBatch } from '../../../core/batching.js';
import { check, LumenError } from '../../../core/errors.js';
import type { Model } from '../../../core/model.js';
import type { LayerOption, LocalOptions } from '../../../core/options.js';
import { resolveTarget } from '../../../core/target.js';
import { checkDifferentiable, checkInput, checkLayer } from '../../../core/validate.js';
import { withInputGradientsOnly } from '../../../engine/input-gradients-only.js';
import { releaseTapeOnThrow } from '../../../engine/release-tape.js';
import { attnLrpConventions, conventionWrappers, type AttentionRule, type ConventionNode } from './conventions.js';

/** Options of `attnLrp`. */
export interface AttnLrpOptions extends LocalOptions, LayerOption {
  /**
   * 'softmax-rule' (default): AttnLRP — the softmax rule and the uniform rule on q·kᵀ and A·v;
   * 'constant': CP-LRP — attention weights as constants (the AH-rule), all relevance through the values.
   */
  readonly attention?: AttentionRule;
}

/** The nodes of a graph-executed model (an imported ONNX model's program, a fromGraph network), or null. */
function graphNodes(model: Model): readonly ConventionNode[] | null {
  const m = model as unknown as { program?: { nodes?: readonly ConventionNode[] }; graph?: { nodes?: readonly ConventionNode[] } };
  return m.program?.nodes ?? m.graph?.nodes ?? null;
}

/**
 * AttnLRP (Achtibat et al., "AttnLRP: Attention-Aware Layer-Wise Relevance Propagation for
 * Transformers", ICML 2024) — or, with `attention: 'constant'`, CP-LRP (Ali et al., ICML 2022) —
 * as gradient × input under the rules of `conventions.ts`: the relevance of the explained logit on
 * `layer`'s output (the token embedding, `[N, T, E]`; sum over E for a token's share) or on the
 * input. One forward pass for the layer's value and one backward pass per batch. Under CP-LRP the
 * modified network is affine in the layer's output, so Σ R = f(x) − f̃(0) exactly (f̃ the network
 * with attention, LayerNorm σ and GELU gates held at their values at x); biases take the rest.
 */
export async function attnLrp(model: Model, input: tf.Tensor, options: AttnLrpOptions = {}): Promise<Attribution> {
  const fn = 'attnLrp';
  checkDifferentiable(model, fn);
  checkInput(model, input, fn);
  const attention = options.attention ?? 'softmax-rule';
  check(attention === 'softmax-rule' || attention === 'constant', 'option', () => `${fn}: attention must be 'softmax-rule' (AttnLRP) or 'constant' (CP-LRP); found ${JSON.stringify(attention)}`);
  const nodes = graphNodes(model);
  if (!nodes) throw new LumenError('model', `${fn}: the rules act on the nodes of a graph — an imported ONNX model or a fromGraph network; '${model.name}' exposes none`);
  const plan = attnLrpConventions(nodes, attention, fn);
  const layer = options.layer ?? null;
  if (layer !== null) checkLayer(model, layer, fn);
  const target = await resolveTarget(model, input, options.target, fn);
  const batchSize = batchSizeOf(model, options, fn);
  checkAborted(options, fn);
  const parts: tf.Tensor[] = [];
  const calls = { n: 0 };
  try {
    const modelCalls = await forEachBatch(input.shape[0], batchSize, options, fn, (start, end) => {
      parts.push(tf.tidy(() => {
        const x = input.slice(start, end - start);
        const examples = Int32Array.from({ length: end - start }, (_, i) => start + i);
        const wrap = conventionWrappers(plan, calls);
        const at = layer === null ? x : model.run(x, { capture: [layer] }).captured[layer]!;
        const f = (p: tf.Tensor): tf.Tensor => target.select(layer === null ? model.run(p, { wrap }).output : model.run(x, { wrap, replace: { [layer]: p } }).output, examples);
        const { grad } = withInputGradientsOnly(() => releaseTapeOnThrow(() => tf.valueAndGrad(f)(at)));
        if (plan.size > 0 && calls.n === 0) throw new LumenError('model', `${fn}: '${model.name}' ignored the rules (RunOptions.wrap); it must be graph-executed`);
        return tf.mul(at, grad);
      }));
    });
    const values = parts.length === 1 ? parts[0]! : tf.concat(parts);
    if (parts.length > 1) tf.dispose(parts);
    return makeAttribution('attn-lrp', values, target.classes, { modelCalls: layer === null ? modelCalls : 2 * modelCalls, attention, ...(layer ? { layer } : {}) });
  } catch (e) {
    tf.dispose(parts);
    throw e;
  }
}
