import type { BackwardRule } from './rule-types.js';
import { constantValues, intAttr, intsAttr, stringAttr, unsupported } from './attributes.js';

const asShapeOf: BackwardRule = (node, [dy], ctx) => [ctx.out.reshape(dy as string, ctx.shape(node.inputs[0])), ...node.inputs.slice(1).map(() => null)];

/** Gradients of ops that move values without arithmetic. */
export const SHAPE_RULES: Readonly<Record<string, BackwardRule>> = {
  Reshape: asShapeOf,
  Flatten: asShapeOf,
  Squeeze: asShapeOf,
  Unsqueeze: asShapeOf,
  Transpose: (node, [dy], ctx) => {
    const rank = ctx.shape(node.inputs[0]).length;
    const perm = intsAttr(node, 'perm', Array.from({ length: rank }, (_, i) => rank - 1 - i));
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    return [ctx.out.emit('Transpose', [dy as string], { perm: { ints: inverse } })];
  },
  Concat: (node, [dy], ctx) => {
    const rank = ctx.shape(node.outputs[0]).length;
    const raw = intAttr(node, 'axis', 0);
    const axis = raw < 0 ? raw + rank : raw;
    let offset = 0;
    return node.inputs.map((i) => {
      const size = ctx.shape(i)[axis];
      const start = offset;
      offset += size;
      return ctx.active(i) ? ctx.out.slice(dy as string, [start], [start + size], [axis]) : null;
    });
  },
  Pad: (node, [dy], ctx) => {
    if (stringAttr(node, 'mode', 'constant') !== 'constant') throw unsupported(node, `in mode ${stringAttr(node, 'mode', '')}`);
    const x = ctx.shape(node.inputs[0]);
    const pads = ctx.out.opset >= 11 ? constantValues(node, ctx.constant(node.inputs[1]), 'pads') : [...intsAttr(node, 'pads', [])];
    if (node.inputs[3]) throw unsupported(node, 'over chosen axes');
    if (pads.some((p) => p < 0)) throw unsupported(node, 'that crops');
    const starts = x.map((_, i) => pads[i]);
    return [ctx.out.slice(dy as string, starts, starts.map((s, i) => s + x[i]), x.map((_, i) => i)), ...node.inputs.slice(1).map(() => null)];
  },
};
