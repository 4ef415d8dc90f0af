import type { BackwardRule } from './rule-types.js';
import { convAdjoint } from './conv-adjoint.js';
import { intAttr, intsAttr, unsupported } from './attributes.js';

/** Gradients of pooling and reductions. */
export const POOL_RULES: Readonly<Record<string, BackwardRule>> = {
  MaxPool: (node, [dy], ctx) => {
    const kernel = intsAttr(node, 'kernel_shape', []);
    const strides = intsAttr(node, 'strides', kernel.map(() => 1));
    const dilations = intsAttr(node, 'dilations', kernel.map(() => 1));
    // Windows that do not overlap: each input element is the argmax of at most one window, so
    // scattering dy through the forward op's indices is the exact gradient (first maximum wins).
    if (kernel.some((k, i) => k > strides[i]) || dilations.some((d) => d !== 1)) throw unsupported(node, 'with overlapping windows');
    const x = ctx.shape(node.inputs[0]);
    return [ctx.out.emit('MaxUnpool', [dy as string, node.outputs[1], ctx.out.int64s(x)], { kernel_shape: { ints: kernel }, strides: { ints: strides } })];
  },
  AveragePool: (node, [dy], ctx) => {
    const kernel = intsAttr(node, 'kernel_shape', []);
    const pads = intsAttr(node, 'pads', kernel.map(() => 0).concat(kernel.map(() => 0)));
    const padded = pads.some((p) => p !== 0) || !['NOTSET', 'VALID'].includes(node.attrs?.auto_pad && 's' in node.attrs.auto_pad ? node.attrs.auto_pad.s : 'NOTSET');
    if (padded && intAttr(node, 'count_include_pad', 0) === 0) throw unsupported(node, 'with padding not counted in the average');
    if (intAttr(node, 'ceil_mode', 0) !== 0) throw unsupported(node, 'with ceil_mode');
    const channels = ctx.shape(node.inputs[0])[1];
    const size = kernel.reduce((a, b) => a * b, 1);
    const values = new Float32Array(channels * size).fill(1 / size);
    return [convAdjoint(node, ctx, dy as string, values, ctx.out.floats(values, [channels, 1, ...kernel]), kernel, channels)];
  },
  GlobalAveragePool: (node, [dy], ctx) => {
    const x = ctx.shape(node.inputs[0]);
    const count = x.slice(2).reduce((a, b) => a * b, 1);
    return [ctx.out.emit('Expand', [ctx.out.emit('Mul', [dy as string, ctx.out.scalar(1 / count)]), ctx.out.int64s(x)])];
  },
  ReduceMean: (node, [dy], ctx) => [reduceBackward(node, dy as string, ctx, true)],
  ReduceSum: (node, [dy], ctx) => [reduceBackward(node, dy as string, ctx, false), null],
};

function reduceBackward(node: Parameters<BackwardRule>[0], dy: string, ctx: Parameters<BackwardRule>[2], mean: boolean): string {
  const x = ctx.shape(node.inputs[0]);
  const axesFromInput = node.op === 'ReduceSum' ? ctx.out.opset >= 13 : ctx.out.opset >= 18;
  let axes: number[];
  if (axesFromInput && node.inputs[1]) {
    const t = ctx.constant(node.inputs[1]);
    if (!t) throw unsupported(node, 'with axes computed at run time');
    axes = Array.from(t.values as ArrayLike<number>);
  } else if (axesFromInput) {
    axes = intAttr(node, 'noop_with_empty_axes', 0) ? [] : x.map((_, i) => i);
  } else {
    axes = [...intsAttr(node, 'axes', x.map((_, i) => i))];
  }
  axes = axes.map((a) => (a < 0 ? a + x.length : a));
  const kept = x.map((d, i) => (axes.includes(i) ? 1 : d));
  const count = axes.reduce((p, a) => p * x[a], 1);
  const scaled = mean ? ctx.out.emit('Mul', [dy, ctx.out.scalar(1 / count)]) : dy;
  return ctx.out.emit('Expand', [ctx.out.reshape(scaled, kept), ctx.out.int64s(x)]);
}
