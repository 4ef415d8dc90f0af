import type { BackwardContext, BackwardRule } from './rule-types.js';
import type { OrtNode } from '../ort-graph.js';
import { unbroadcast } from './broadcast.js';
import { constantValues, floatAttr, intAttr, unsupported } from './attributes.js';
import { convAdjoint, transposedWindow } from './conv-adjoint.js';

/** Gradients of the linear ops. */
export const LINEAR_RULES: Readonly<Record<string, BackwardRule>> = {
  Conv: (node, [dy], ctx) => {
    const [, w, b] = node.inputs;
    if (ctx.active(w) || (b && ctx.active(b))) throw unsupported(node, 'with weights computed from the input');
    const kernel = ctx.shape(w).slice(2);
    const weights = ctx.constant(w);
    const group = intAttr(node, 'group', 1);
    return [weights ? convAdjoint(node, ctx, dy as string, weights.values as ArrayLike<number>, w, kernel, group) : transposedWindow(node, ctx, dy as string, w, kernel, group), null, null];
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
