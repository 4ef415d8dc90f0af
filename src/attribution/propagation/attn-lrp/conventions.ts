/**
 * AttnLRP's rules (Achtibat et al., "AttnLRP: Attention-Aware Layer-Wise Relevance Propagation for
 * Transformers", ICML 2024) and CP-LRP's (Ali et al., "XAI for Transformers: Better Explanations
 * through Conservative Propagation", ICML 2022), written as gradient × input with a modified
 * backward pass — the "efficient" form in which every rule below is the gradient of a network
 * whose value is unchanged. Per node of a graph (an imported ONNX export, whose LayerNorm and GELU
 * are decomposed at opset ≤ 16, or a fromGraph network written op by op):
 *
 * | node | rule | backward |
 * |---|---|---|
 * | `Sqrt` (the standard deviation of a decomposed LayerNorm) | identity rule on the normalisation: σ is a constant | stop-gradient |
 * | `Erf` (the gate of an exact GELU x·½(1 + erf(x/√2))) | identity rule on the activation: R_in = R_out | stop-gradient (the gate is a constant, so GELU acts as x times a constant) |
 * | `Softmax` | AttnLRP: the softmax rule R_i = x_i (R_i − s_i Σ_j R_j), which is the true gradient × input; CP-LRP: the AH-rule, attention as a constant | gradient / stop-gradient |
 * | `MatMul` of two runtime values (q·kᵀ, A·v) | AttnLRP: the uniform rule, half the relevance to each factor; CP-LRP: gradient (A is then constant) | gradient × ½ / gradient |
 * | linear layers (MatMul/Gemm with weights, Add of a bias) | ε-rule with ε → 0 (LRP-0): the gradient; biases absorb their share | gradient |
 *
 * Fused `LayerNormalization`/`Gelu` nodes and whole-block nodes hide the parts a rule must reach:
 * they are refused with a LumenError (export with opset 14, or write the network op by op).
 */
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../../core/errors.js';

/** How AttnLRP treats attention: the paper's softmax + uniform rules, or CP-LRP's constant attention (AH-rule). */
export type AttentionRule = 'softmax-rule' | 'constant';

/** One node of a graph as the conventions see it: its kind and the runtime values it reads. */
export interface ConventionNode {
  readonly name: string;
  readonly kind: string;
  readonly inputs: readonly string[];
}

/** What a node's backward pass becomes. */
export type Convention = 'constant' | 'half';

/** Fused ops whose parts the rules must reach. */
const FUSED = /^(LayerNormalization|Gelu|GELU|FastGelu|SkipLayerNormalization|Attention|MultiHeadAttention)$/;

/**
 * The convention of every node that needs one (others keep their gradient), for `attention`;
 * refuses graphs with fused LayerNorm/GELU/attention nodes, naming them.
 */
export function attnLrpConventions(nodes: readonly ConventionNode[], attention: AttentionRule, fn: string): ReadonlyMap<string, Convention> {
  const fused = nodes.filter((n) => FUSED.test(n.kind));
  if (fused.length > 0) {
    throw new LumenError('model', `${fn}: ${fused.slice(0, 4).map((n) => `'${n.name}' (${n.kind})`).join(', ')}${fused.length > 4 ? ` and ${fused.length - 4} more` : ''} ${fused.length > 1 ? 'are fused ops' : 'is a fused op'}; AttnLRP's rules reach the parts of LayerNorm (its Sqrt) and GELU (its Erf): export the model with ONNX opset 14 (LayerNorm as ReduceMean/Sub/Pow/Sqrt/Div, GELU with Erf) or write the network op by op`);
  }
  const plan = new Map<string, Convention>();
  for (const n of nodes) {
    if (n.kind === 'Sqrt' || n.kind === 'Erf') plan.set(n.name, 'constant');
    else if (n.kind === 'Softmax' && attention === 'constant') plan.set(n.name, 'constant');
    else if (n.kind === 'MatMul' && n.inputs.length === 2 && n.inputs[0] !== n.inputs[1] && attention === 'softmax-rule') plan.set(n.name, 'half');
  }
  return plan;
}

/** The value of `x` with no gradient. */
const constant = tf.customGrad(((x: tf.Tensor) => ({ value: tf.clone(x), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [tf.zerosLike(dy as tf.Tensor)] })) as unknown as Parameters<typeof tf.customGrad>[0]);

/** The value of `x` with half its gradient (the uniform rule's share of each factor). */
const half = tf.customGrad(((x: tf.Tensor) => ({ value: tf.clone(x), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [tf.mul(dy as tf.Tensor, 0.5)] })) as unknown as Parameters<typeof tf.customGrad>[0]);

/**
 * The `RunOptions.wrap` functions of a plan; `calls` counts how many were applied (a model that
 * ignores `wrap` leaves it at 0, which the method refuses).
 */
export function conventionWrappers(plan: ReadonlyMap<string, Convention>, calls: { n: number }): Record<string, (y: tf.Tensor) => tf.Tensor> {
  return Object.fromEntries([...plan].map(([name, c]) => [name, (y: tf.Tensor) => {
    calls.n++;
    return (c === 'constant' ? constant(y) : half(y)) as tf.Tensor;
  }]));
}
