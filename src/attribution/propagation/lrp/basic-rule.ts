/**
 * An LRP rule as a record of modifiers (zennit's BasicHook), and the one function that turns such a
 * record into a gradient rule for the engine (src/core/rules.ts). A record lists modified forward
 * passes (`terms`: an input modifier and a parameter modifier each), maps the relevance at the
 * output and the modified outputs to one vector per term (`mapGradient`), pulls each vector back
 * through its term's modified layer (a vector-Jacobian product), and `reduce`s inputs and
 * pulled-back vectors into the relevance at the input. The pull-back is the op's transpose where
 * the op has one (dense, undilated convolutions, batch norm), else a vector-Jacobian product.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../../../core/errors.js';
import type { LinearOp, Rule, RuleContext } from '../../../core/rules.js';
import { vjp } from '../../../engine/vjp.js';

/** A layer's parameters as a term sees them. */
export interface LayerParams {
  readonly weights: readonly tf.Tensor[];
  readonly bias: tf.Tensor | null;
}

/** One modified forward pass `f(modifyInput(x); modifyParams(W, b))`; absent modifiers keep x or (W, b). */
export interface LrpTerm {
  readonly modifyInput?: (x: tf.Tensor) => tf.Tensor;
  readonly modifyParams?: (params: LayerParams) => LayerParams;
}

/** An LRP rule for a layer with parameters (Dense, convolutions, batch norm), as zennit's BasicHook. */
export interface LrpHook {
  readonly name: string;
  readonly terms: readonly LrpTerm[];
  /** The vector pulled back through each term (null: none), from the relevance R and the terms' outputs. */
  mapGradient(relevance: tf.Tensor, outputs: readonly tf.Tensor[]): readonly (tf.Tensor | null)[];
  /** The relevance at the input from the terms' (modified) inputs and their pulled-back vectors. */
  reduce(inputs: readonly tf.Tensor[], gradients: readonly (tf.Tensor | null)[]): tf.Tensor;
}

/**
 * Compiles an LRP record into a gradient rule for linear and batch-norm parts: the backward pass
 * maps the relevance arriving at the part's output to the relevance at its input. A term without
 * modifiers reuses the forward pass' output instead of recomputing it.
 */
export function basicRule(hook: LrpHook): Rule {
  return {
    name: hook.name,
    backward(relevance: tf.Tensor, { node, inputs, output }: RuleContext): tf.Tensor[] {
      const op = node.op.linear as LinearOp;
      check(op !== undefined && inputs.length === 1, 'model', () => `lrp: rule '${hook.name}' needs a layer with weights; '${node.name}' (${node.kind}) is a ${node.op.family} op`);
      const x = inputs[0];
      const own: LayerParams = { weights: op.weights, bias: op.bias };
      const xs = hook.terms.map((t) => (t.modifyInput ? t.modifyInput(x) : x));
      const params = hook.terms.map((t) => (t.modifyParams ? t.modifyParams(own) : own));
      const outputs = hook.terms.map((t, i) => (t.modifyInput || t.modifyParams ? op.apply(xs[i], params[i].weights, params[i].bias) : output));
      const vectors = hook.mapGradient(relevance, outputs);
      const gradients = vectors.map((v, i) => {
        if (!v) return null;
        if (op.transpose) return op.transpose(v, params[i].weights, x.shape);
        return vjp(([u]) => op.apply(u, params[i].weights, null), [xs[i]], v)[0];
      });
      return [hook.reduce(xs, gradients)];
    },
  };
}
