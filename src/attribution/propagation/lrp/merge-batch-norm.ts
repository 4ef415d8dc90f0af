/**
 * Canonizers: model rewrites that make LRP rules see the layers they were designed for (zennit's
 * canonizers). Lumen's rewrite is of the model's rule view, not of its weights: `canonize(model,
 * canonizers)` returns a model whose rule-based runs see the rewritten layers, while the model
 * itself, its variables and its plain forward pass stay untouched, so nothing is left to restore
 * when a call throws.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model, RunOptions } from '../../../core/model.js';
import type { LinearOp, Rule, RuleContext, RuleNode, RuleSet } from '../../../core/rules.js';
import { GRADIENT_RULE } from '../../../core/rules.js';

/** A rewrite of the layers a rule set sees. */
export interface Canonizer {
  readonly name: string;
  /** The rule set that runs `rules` on the rewritten layers. */
  apply(rules: RuleSet): RuleSet;
}

/**
 * The linear op of `linear` followed by the per-channel affine batch norm `bn`: weights W·s (s
 * broadcast over the output channels), bias b·s + t, for y = s ⊙ (Wx + b) + t.
 */
export function mergedLinear(linear: LinearOp, bn: LinearOp): LinearOp {
  const [scale] = bn.weights;
  const shift = bn.bias;
  const fit = (w: tf.Tensor): tf.Tensor => {
    if (linear.outputAxis !== undefined && linear.outputAxis !== w.rank - 1) {
      return tf.reshape(scale, w.shape.map((d, a) => (a === linear.outputAxis ? d : 1)));
    }
    return w.shape[w.rank - 1] === scale.size ? scale : tf.reshape(scale, w.shape.slice(-2));
  };
  return {
    weights: linear.weights.map((w, i) => (i === linear.weights.length - 1 ? tf.mul(w, fit(w)) : w)),
    bias: tf.add(linear.bias ? tf.mul(linear.bias, scale) : tf.zerosLike(scale), shift ?? 0),
    apply: (x, weights, bias) => linear.apply(x, weights, bias),
    ...(linear.transpose ? { transpose: linear.transpose } : {}),
  };
}

/**
 * zennit's SequentialMergeBatchNorm: each batch norm that directly follows a linear layer (Dense,
 * convolution, with no fused activation) whose output nothing else reads is folded into that
 * layer's weights and bias; the batch norm keeps its own rule (Pass in every LRP composite) and so
 * acts as the identity it becomes. The linear layer's rule then sees the merged layer: its input,
 * the merged weights, and the batch norm's output as its own. A missing bias is created.
 */
export const MERGE_BATCH_NORM: Canonizer = Object.freeze({
  name: 'merge-batch-norm',
  apply(rules: RuleSet): RuleSet {
    const linears = new Map<string, RuleNode>();
    const readers = new Map<string, number>();
    const followers = new Map<string, RuleNode>();
    return (node) => {
      if (node.index === 0) {
        linears.clear();
        readers.clear();
        followers.clear();
      }
      for (const name of node.inputs ?? []) if (name !== node.name) readers.set(name, (readers.get(name) ?? 0) + 1);
      const inner = rules(node);
      if (node.op.family === 'batchnorm' && node.inputs?.length === 1 && linears.has(node.inputs[0])) followers.set(node.inputs[0], node);
      if (node.op.family !== 'linear' || node.part !== 'whole') return inner;
      linears.set(node.name, node);
      if (!inner || inner === GRADIENT_RULE) return inner;
      // Rules run after planning: the batch norm (planned later) and the readers are known by then.
      const merged: Rule = {
        name: `${inner.name} (merged batch norm)`,
        backward(relevance, context) {
          const bn = followers.get(node.name);
          if (!bn || readers.get(node.name) !== 1 || !bn.op.linear || !node.op.linear) return inner.backward(relevance, context);
          return inner.backward(relevance, mergedContext(context, mergedLinear(node.op.linear, bn.op.linear)));
        },
      };
      return merged;
    };
  },
});

function mergedContext(context: RuleContext, linear: LinearOp): RuleContext {
  const forward = ([x]: readonly tf.Tensor[]): tf.Tensor => linear.apply(x, linear.weights, linear.bias);
  return { ...context, node: { ...context.node, op: { ...context.node.op, linear } }, output: forward(context.inputs), forward };
}

/**
 * The model as `canonizers` rewrite it for rule-based runs (LRP): its forward values are the
 * model's; under `rules`, every canonizer's rewrite applies. The model is not changed.
 */
export function canonize(model: Model, canonizers: readonly Canonizer[]): Model {
  if (canonizers.length === 0) return model;
  const rewrite = (options?: RunOptions): RunOptions | undefined =>
    options?.rules ? { ...options, rules: canonizers.reduce((r, c) => c.apply(r), options.rules) } : options;
  // The rewrite lives in the tfjs rule engine: a second executor (onnxruntime) would not see it.
  const { executor: _executor, ...rest } = model;
  return { ...rest, run: (x, options) => model.run(x, rewrite(options)) };
}
