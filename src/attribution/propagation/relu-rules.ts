/**
 * The rules of the ReLU-masking methods (guided backpropagation, deconvnet) and the rule set that
 * applies them: ReLU-like activations get the method's rule; every op whose gradient the methods
 * keep (linear layers, pooling, merging, reshaping, smooth activations) gets tfjs' gradient,
 * chosen explicitly. Anything else has no rule, and the run fails naming the layer.
 */
import * as tf from '@tensorflow/tfjs';
import { declareRuleSetForm, GRADIENT_RULE, type ActivationName, type OpFamily, type Rule, type RuleSet } from '../../core/rules.js';
import { vjp } from '../../engine/vjp.js';

/** Activations whose backward pass guided backprop and deconvnet replace. */
export const RELU_LIKE: ReadonlySet<ActivationName> = new Set(['relu', 'relu6', 'clipped-relu', 'leaky-relu', 'elu']);

/** Op families whose plain gradient the gradient-propagation methods keep. */
const PASS_FAMILIES: ReadonlySet<OpFamily> = new Set(['linear', 'batchnorm', 'max-pool', 'avg-pool', 'global-avg-pool', 'global-max-pool', 'add', 'concat', 'reshape', 'pad', 'identity']);

/** Guided backpropagation's rule: only positive gradients pass, through the forward derivative. */
export const GUIDED_RULE: Rule = {
  name: 'guided',
  backward: (dy, { inputs, forward }) => vjp(forward, inputs, tf.relu(dy)),
};

/** Deconvnet's rule: the positive part of the upstream signal, whatever the forward pass was. */
export const DECONV_RULE: Rule = {
  name: 'deconvnet',
  backward: (dy) => [tf.relu(dy)],
};

/** The rule set that gives ReLU-like activations `reluRule` and keeps every other known op's gradient. */
export function reluRuleSet(reluRule: Rule): RuleSet {
  const rules: RuleSet = (node) => {
    if (node.op.family === 'activation') {
      const act = node.op.activation ?? 'other';
      if (RELU_LIKE.has(act)) return reluRule;
      return act === 'other' ? null : GRADIENT_RULE;
    }
    return PASS_FAMILIES.has(node.op.family) ? GRADIENT_RULE : null;
  };
  // The onnxruntime engine compiles these two rules into its backward graph (engine/ort/rules/relu-masked.ts).
  if (reluRule === GUIDED_RULE || reluRule === DECONV_RULE) return declareRuleSetForm(rules, { kind: 'relu-masked', rule: reluRule === GUIDED_RULE ? 'guided' : 'deconvnet' });
  return rules;
}
