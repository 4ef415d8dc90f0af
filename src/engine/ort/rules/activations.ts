import type { BackwardContext, BackwardRule } from './rule-types.js';
import type { OrtEmitter } from '../emitter.js';
import type { OrtNode } from '../ort-graph.js';
import { constantValues, floatAttr, intAttr, unsupported } from './attributes.js';

/** dy · cond as a float mask (onnxruntime's Mul is parallel and vectorised; its Where with a broadcast scalar is several times slower). */
function masked(out: OrtEmitter, dy: string, cond: string): string {
  return out.emit('Mul', [dy, out.emit('Cast', [cond], { to: { i: 1 } })]);
}

/** A Clip's bounds (−∞/∞ where absent). */
function clipBounds(node: OrtNode, ctx: BackwardContext): [number, number] {
  if (ctx.out.opset < 11) return [floatAttr(node, 'min', -Infinity), floatAttr(node, 'max', Infinity)];
  return [
    node.inputs[1] ? constantValues(node, ctx.constant(node.inputs[1]), 'min')[0] : -Infinity,
    node.inputs[2] ? constantValues(node, ctx.constant(node.inputs[2]), 'max')[0] : Infinity,
  ];
}

/** Gradients of activations: masks and derivatives written with the forward input x and output y. */
export const ACTIVATION_RULES: Readonly<Record<string, BackwardRule>> = {
  // y > 0 ⇔ x > 0: the mask reads the output, so onnxruntime can still fuse the Relu into the Conv before it.
  Relu: (node, [dy], ctx) => {
    const y = node.outputs[0];
    if (ctx.handled.get(y) === dy) return [dy];
    return [masked(ctx.out, dy as string, ctx.out.emit('Greater', [y, ctx.out.scalar(0)]))];
  },
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
    const [lo, hi] = clipBounds(node, ctx);
    const from = ctx.producer(x);
    if (from?.op === 'Relu' && ctx.consumers(x) === 1 && lo <= 0 && hi > 0) {
      // ReLU then Clip (ReLU6): one mask 0 < y < hi from the Clip's output, which onnxruntime fuses with both into the Conv before
      // them; the Relu then passes this gradient on. At x = hi exactly the gradient is 0, like PyTorch's ReLU6 (hardtanh).
      const c = node.outputs[0];
      const above = out.emit('Greater', [c, out.scalar(0)]);
      const dx = masked(out, dy as string, hi < Infinity ? out.emit('And', [above, out.emit('Less', [c, out.scalar(hi)])]) : above);
      ctx.handled.set(x, dx);
      return [dx];
    }
    // PyTorch's and tfjs's clip gradient: dy where lo ≤ x ≤ hi.
    const masks: string[] = [];
    const atLeast = (a: string, b: string): string => (out.opset >= 12 ? out.emit('GreaterOrEqual', [a, b]) : out.emit('Not', [out.emit('Less', [a, b])]));
    if (lo > -Infinity) masks.push(atLeast(x, out.scalar(lo)));
    if (hi < Infinity) masks.push(atLeast(out.scalar(hi), x));
    if (masks.length === 0) return [dy];
    return [masked(out, dy as string, masks.length === 2 ? out.emit('And', masks) : masks[0])];
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
