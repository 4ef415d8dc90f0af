import type { BackwardRule } from './rule-types.js';
import { constantValues, floatAttr, intAttr, unsupported } from './attributes.js';

/** Gradients of activations: masks and derivatives written with the forward input x and output y. */
export const ACTIVATION_RULES: Readonly<Record<string, BackwardRule>> = {
  Relu: (node, [dy], { out }) => [out.where(out.emit('Greater', [node.inputs[0], out.scalar(0)]), dy as string, out.scalar(0))],
  LeakyRelu: (node, [dy], { out }) => {
    const x = node.inputs[0];
    const alpha = floatAttr(node, 'alpha', 0.01);
    return [out.where(out.emit('Greater', [x, out.scalar(0)]), dy as string, out.emit('Mul', [dy as string, out.scalar(alpha)]))];
  },
  Elu: (node, [dy], { out }) => {
    const [x] = node.inputs;
    const alpha = floatAttr(node, 'alpha', 1);
    const neg = out.emit('Mul', [dy as string, out.emit('Add', [node.outputs[0], out.scalar(alpha)])]);
    return [out.where(out.emit('Greater', [x, out.scalar(0)]), dy as string, neg)];
  },
  Sigmoid: (node, [dy], { out }) => {
    const y = node.outputs[0];
    return [out.emit('Mul', [dy as string, out.emit('Mul', [y, out.emit('Sub', [out.scalar(1), y])])])];
  },
  Tanh: (node, [dy], { out }) => {
    const y = node.outputs[0];
    return [out.emit('Mul', [dy as string, out.emit('Sub', [out.scalar(1), out.emit('Mul', [y, y])])])];
  },
  Softplus: (node, [dy], { out }) => [out.emit('Mul', [dy as string, out.emit('Sigmoid', [node.inputs[0]])])],
  Softmax: (node, [dy], ctx) => {
    const { out } = ctx;
    const y = node.outputs[0];
    const rank = ctx.shape(y).length;
    const axis = softmaxAxis(node, rank, out.opset);
    const dot = out.reduceSum(out.emit('Mul', [dy as string, y]), [axis]);
    return [out.emit('Mul', [y, out.emit('Sub', [dy as string, dot])])];
  },
  LogSoftmax: (node, [dy], ctx) => {
    const { out } = ctx;
    const y = node.outputs[0];
    const axis = softmaxAxis(node, ctx.shape(y).length, out.opset);
    const total = out.reduceSum(dy as string, [axis]);
    return [out.emit('Sub', [dy as string, out.emit('Mul', [out.emit('Exp', [y]), total])])];
  },
  Clip: (node, [dy], ctx) => {
    const { out } = ctx;
    const x = node.inputs[0];
    let lo = -Infinity;
    let hi = Infinity;
    if (out.opset < 11) {
      lo = floatAttr(node, 'min', -Infinity);
      hi = floatAttr(node, 'max', Infinity);
    } else {
      if (node.inputs[1]) lo = constantValues(node, ctx.constant(node.inputs[1]), 'min')[0];
      if (node.inputs[2]) hi = constantValues(node, ctx.constant(node.inputs[2]), 'max')[0];
    }
    // PyTorch's and tfjs's clip gradient: dy where lo ≤ x ≤ hi.
    const masks: string[] = [];
    if (lo > -Infinity) masks.push(out.emit('Not', [out.emit('Less', [x, out.scalar(lo)])]));
    if (hi < Infinity) masks.push(out.emit('Not', [out.emit('Greater', [x, out.scalar(hi)])]));
    if (masks.length === 0) return [dy];
    const mask = masks.length === 2 ? out.emit('And', masks) : masks[0];
    return [out.where(mask, dy as string, out.scalar(0))];
  },
  Identity: (_node, [dy]) => [dy],
  Dropout: (_node, [dy]) => [dy],
};

/** Softmax's axis as a non-negative index; before opset 13 only the last axis (2-D coercion) is covered. */
function softmaxAxis(node: Parameters<BackwardRule>[0], rank: number, opset: number): number {
  const raw = intAttr(node, 'axis', opset >= 13 ? -1 : 1);
  const axis = raw < 0 ? raw + rank : raw;
  if (opset < 13 && axis !== rank - 1) throw unsupported(node, `over axes ${axis}… of a rank-${rank} value (opset ${opset} coerces to 2-D)`);
  return axis;
}
