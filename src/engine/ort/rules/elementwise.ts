import type { BackwardRule } from './rule-types.js';
import { unbroadcast } from './broadcast.js';

/** Gradients of broadcasting arithmetic. */
export const ELEMENTWISE_RULES: Readonly<Record<string, BackwardRule>> = {
  Add: (node, [dy], ctx) => node.inputs.map((i) => (ctx.active(i) ? unbroadcast(ctx, dy as string, ctx.shape(node.outputs[0]), ctx.shape(i)) : null)),
  Sum: (node, [dy], ctx) => node.inputs.map((i) => (ctx.active(i) ? unbroadcast(ctx, dy as string, ctx.shape(node.outputs[0]), ctx.shape(i)) : null)),
  Sub: (node, [dy], ctx) => {
    const [a, b] = node.inputs;
    const y = ctx.shape(node.outputs[0]);
    return [
      ctx.active(a) ? unbroadcast(ctx, dy as string, y, ctx.shape(a)) : null,
      ctx.active(b) ? unbroadcast(ctx, ctx.out.emit('Neg', [dy as string]), y, ctx.shape(b)) : null,
    ];
  },
  Mul: (node, [dy], ctx) => {
    const [a, b] = node.inputs;
    const y = ctx.shape(node.outputs[0]);
    return [
      ctx.active(a) ? unbroadcast(ctx, ctx.out.emit('Mul', [dy as string, b]), y, ctx.shape(a)) : null,
      ctx.active(b) ? unbroadcast(ctx, ctx.out.emit('Mul', [dy as string, a]), y, ctx.shape(b)) : null,
    ];
  },
  Div: (node, [dy], ctx) => {
    const [a, b] = node.inputs;
    const y = ctx.shape(node.outputs[0]);
    const { out } = ctx;
    return [
      ctx.active(a) ? unbroadcast(ctx, out.emit('Div', [dy as string, b]), y, ctx.shape(a)) : null,
      // ∂(a/b)/∂b = −y/b
      ctx.active(b) ? unbroadcast(ctx, out.emit('Neg', [out.emit('Div', [out.emit('Mul', [dy as string, node.outputs[0]]), b])]), y, ctx.shape(b)) : null,
    ];
  },
  Neg: (_node, [dy], { out }) => [out.emit('Neg', [dy as string])],
};
