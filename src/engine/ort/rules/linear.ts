import type { BackwardContext, BackwardRule } from './rule-types.js';
import type { OrtNode } from '../ort-graph.js';
import { unbroadcast } from './broadcast.js';
import { constantValues, floatAttr, intAttr, intsAttr, stringAttr, unsupported } from './attributes.js';

/** Explicit begin/end pads of a conv or pool over `spatial` axes (auto_pad resolved with the shapes). */
export function explicitPads(node: OrtNode, ctx: BackwardContext, kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): number[] {
  const n = kernel.length;
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') return [...intsAttr(node, 'pads', new Array<number>(2 * n).fill(0))];
  if (autoPad === 'VALID') return new Array<number>(2 * n).fill(0);
  const x = ctx.shape(node.inputs[0]);
  const pads = new Array<number>(2 * n).fill(0);
  for (let i = 0; i < n; i++) {
    const size = x[2 + i];
    const outSize = Math.ceil(size / strides[i]);
    const total = Math.max((outSize - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size, 0);
    pads[i] = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
    pads[n + i] = total - pads[i];
  }
  return pads;
}

/**
 * The adjoint of a strided window op as a ConvTranspose of `dy` with `weights`: the output
 * padding makes its size the forward input's (rows the forward op never read get zero).
 */
export function transposedWindow(node: OrtNode, ctx: BackwardContext, dy: string, weights: string, kernel: readonly number[], group: number): string {
  const n = kernel.length;
  const strides = intsAttr(node, 'strides', new Array<number>(n).fill(1));
  const dilations = intsAttr(node, 'dilations', new Array<number>(n).fill(1));
  const pads = explicitPads(node, ctx, kernel, strides, dilations);
  const x = ctx.shape(node.inputs[0]);
  const y = ctx.shape(node.outputs[0]);
  const outputPadding = kernel.map((k, i) => x[2 + i] - (strides[i] * (y[2 + i] - 1) + (k - 1) * dilations[i] + 1 - pads[i] - pads[n + i]));
  if (outputPadding.some((p) => p < 0)) throw unsupported(node, 'whose windows extend past the padded input (ceil_mode)');
  return ctx.out.emit('ConvTranspose', [dy, weights], {
    strides: { ints: strides },
    dilations: { ints: dilations },
    pads: { ints: pads },
    group: { i: group },
    kernel_shape: { ints: kernel },
    output_padding: { ints: outputPadding },
  });
}

/** Gradients of the linear ops. */
export const LINEAR_RULES: Readonly<Record<string, BackwardRule>> = {
  Conv: (node, [dy], ctx) => {
    const [, w, b] = node.inputs;
    if (ctx.active(w) || (b && ctx.active(b))) throw unsupported(node, 'with weights computed from the input');
    const kernel = ctx.shape(w).slice(2);
    return [transposedWindow(node, ctx, dy as string, w, kernel, intAttr(node, 'group', 1)), null, null];
  },
  Gemm: (node, [dy], ctx) => {
    const { out } = ctx;
    const [a, b, c] = node.inputs;
    if (ctx.active(b)) throw unsupported(node, 'with B computed from the input');
    const alpha = floatAttr(node, 'alpha', 1);
    const beta = floatAttr(node, 'beta', 1);
    const transA = intAttr(node, 'transA', 0);
    const transB = intAttr(node, 'transB', 0);
    const g = dy as string;
    let da: string | null = null;
    if (ctx.active(a)) {
      // Y = α·op(A)·op(B): ∂A = α·dY·op(B)ᵀ, or its transpose when A is transposed.
      da = transA === 0
        ? out.emit('Gemm', [g, b], { alpha: { f: alpha }, transB: { i: 1 - transB } })
        : out.emit('Gemm', [b, g], { alpha: { f: alpha }, transA: { i: transB }, transB: { i: 1 } });
    }
    let dc: string | null = null;
    if (c && ctx.active(c)) dc = unbroadcast(ctx, beta === 1 ? g : out.emit('Mul', [g, out.scalar(beta)]), ctx.shape(node.outputs[0]), ctx.shape(c));
    return [da, null, dc];
  },
  MatMul: (node, [dy], ctx) => {
    const { out } = ctx;
    const [a, b] = node.inputs;
    const sa = ctx.shape(a);
    const sb = ctx.shape(b);
    const sy = ctx.shape(node.outputs[0]);
    if (sa.length < 2 || sb.length < 2) throw unsupported(node, 'of a vector');
    const swap = (rank: number): number[] => [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
    const g = dy as string;
    const da = ctx.active(a) ? unbroadcast(ctx, out.emit('MatMul', [g, out.emit('Transpose', [b], { perm: { ints: swap(sb.length) } })]), [...sy.slice(0, -2), sa[sa.length - 2], sa[sa.length - 1]], sa) : null;
    const db = ctx.active(b) ? unbroadcast(ctx, out.emit('MatMul', [out.emit('Transpose', [a], { perm: { ints: swap(sa.length) } }), g]), [...sy.slice(0, -2), sb[sb.length - 2], sb[sb.length - 1]], sb) : null;
    return [da, db];
  },
  BatchNormalization: (node, [dy], ctx) => {
    const [x, scale, , mean, variance] = node.inputs;
    if (intAttr(node, 'training_mode', 0) !== 0) throw unsupported(node, 'in training mode');
    if ([scale, mean, variance].some((v) => ctx.active(v))) throw unsupported(node, 'with statistics computed from the input');
    const eps = floatAttr(node, 'epsilon', 1e-5);
    const g = constantValues(node, ctx.constant(scale), 'scale');
    const v = constantValues(node, ctx.constant(variance), 'variance');
    const rank = ctx.shape(x).length;
    const factor = g.map((s, c) => s / Math.sqrt(v[c] + eps));
    const weights = ctx.out.floats(factor, [factor.length, ...new Array<number>(Math.max(rank - 2, 0)).fill(1)]);
    return [ctx.out.emit('Mul', [dy as string, weights]), null, null, null, null];
  },
};
