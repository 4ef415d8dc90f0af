import type { RuleSetForm } from '../../../core/rules.js';
import { constantValues, floatAttr, unsupported } from './attributes.js';
import { BACKWARD_RULES } from './index.js';
import type { BackwardRule } from './rule-types.js';

/**
 * Ops whose plain gradient guided backprop and deconvnet keep — the ONNX forms of the op families
 * relu-rules.ts passes (linear, batch norm, pools, merges, reshapes, identity) and of the smooth
 * activations. Any other op on the path (Mul, Sub, Div …, which the tfjs rule engine refuses)
 * keeps the whole gradient on tfjs.
 */
const PASSED_OPS = ['Conv', 'Gemm', 'MatMul', 'Add', 'Sum', 'BatchNormalization', 'MaxPool', 'AveragePool', 'GlobalAveragePool',
  'Concat', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Pad', 'Identity', 'Dropout', 'Sigmoid', 'Tanh', 'Softmax', 'Softplus'];

/** ReLU-like ops (relu-rules.ts' RELU_LIKE): Relu, LeakyRelu, Elu, and Clip from 0 (ReLU6, clipped ReLU). */
const RELU_LIKE_OPS = ['Relu', 'LeakyRelu', 'Elu', 'Clip'];

/**
 * The backward rules of a declared rule set (core/rules.ts RuleSetForm) for the onnxruntime
 * engine. 'relu-masked': guided backprop (Springenberg et al. 2015) passes only the positive part
 * of the upstream gradient through each ReLU-like op's derivative, dx = f′(x)·max(dy, 0);
 * deconvnet (Zeiler & Fergus 2014) passes max(dy, 0) whatever the forward input was. Every op of
 * PASSED_OPS keeps its gradient rule; ops outside both lists have no rule, so the engine leaves the
 * whole pass to tfjs.
 */
export function ruleSetBackwardRules(form: Extract<RuleSetForm, { kind: 'relu-masked' }>): Readonly<Record<string, BackwardRule>> {
  const rules: Record<string, BackwardRule> = {};
  for (const op of PASSED_OPS) rules[op] = BACKWARD_RULES[op];
  for (const op of RELU_LIKE_OPS) {
    const plain = BACKWARD_RULES[op];
    rules[op] = (node, [dy], ctx) => {
      if (op === 'Clip') {
        const lo = ctx.out.opset < 11 ? floatAttr(node, 'min', -Infinity) : node.inputs[1] ? constantValues(node, ctx.constant(node.inputs[1]), 'min')[0] : -Infinity;
        if (lo !== 0) throw unsupported(node, `from ${lo} (not a ReLU) under ${form.rule === 'guided' ? 'guided backprop' : 'deconvnet'}`);
      }
      const positive = ctx.out.emit('Relu', [dy as string]);
      if (form.rule === 'deconvnet') return [positive, ...node.inputs.slice(1).map(() => null)];
      return plain(node, [positive], ctx);
    };
  }
  return rules;
}
