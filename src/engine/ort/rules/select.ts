import type { BackwardContext, BackwardRule } from './rule-types.js';
import { constantValues, intAttr, intsAttr, unsupported } from './attributes.js';
import type { OrtNode } from '../ort-graph.js';

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** A one-hot matrix `[indices.length, depth]`: row k has a 1 at column indices[k]. */
function oneHotMatrix(ctx: BackwardContext, indices: readonly number[], depth: number): string {
  const m = new Float32Array(indices.length * depth);
  indices.forEach((i, k) => (m[k * depth + i] = 1));
  return ctx.out.floats(m, [indices.length, depth]);
}

/** The positions a Slice reads along one axis of size `dim` (ONNX's clamping of starts and ends). */
export function sliceIndices(start: number, end: number, step: number, dim: number): number[] {
  if (step === 0) throw new RangeError('Slice: step 0');
  const s0 = start < 0 ? start + dim : start;
  const e0 = end < 0 ? end + dim : end;
  const s = step > 0 ? Math.min(Math.max(s0, 0), dim) : Math.min(Math.max(s0, 0), dim - 1);
  const e = step > 0 ? Math.min(Math.max(e0, 0), dim) : Math.min(Math.max(e0, -1), dim - 1);
  const out: number[] = [];
  for (let i = s; step > 0 ? i < e : i > e; i += step) out.push(i);
  return out;
}

/** A Slice node's starts, ends, axes and steps (inputs from opset 10, attributes before). */
function sliceParams(node: OrtNode, ctx: BackwardContext, rank: number): { starts: number[]; ends: number[]; axes: number[]; steps: number[] } {
  const num = (v: readonly unknown[]): number[] => v.map((x) => Number(x));
  let starts: number[];
  let ends: number[];
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (ctx.out.opset >= 10) {
    starts = num(constantValues(node, ctx.constant(node.inputs[1]), 'starts'));
    ends = num(constantValues(node, ctx.constant(node.inputs[2]), 'ends'));
    if (node.inputs[3]) axes = num(constantValues(node, ctx.constant(node.inputs[3]), 'axes'));
    if (node.inputs[4]) steps = num(constantValues(node, ctx.constant(node.inputs[4]), 'steps'));
  } else {
    starts = [...intsAttr(node, 'starts', [])];
    ends = [...intsAttr(node, 'ends', [])];
    const a = intsAttr(node, 'axes', []);
    if (a.length) axes = [...a];
  }
  const ax = (axes ?? starts.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  return { starts, ends, axes: ax, steps: steps ?? starts.map(() => 1) };
}

/**
 * Gradients of ops that select elements: Slice (a zero Pad around the gradient for unit steps; a
 * one-hot matrix per axis for strided and reversed slices) and Gather (the gradient scattered back
 * through a one-hot matrix of the indices, so repeated indices add up, as autograd's index_add does).
 */
export const SELECT_RULES: Readonly<Record<string, BackwardRule>> = {
  Slice: (node, [dy], ctx) => {
    const x = ctx.shape(node.inputs[0]);
    const rank = x.length;
    const { starts, ends, axes, steps } = sliceParams(node, ctx, rank);
    const picked = axes.map((a, i) => sliceIndices(starts[i], ends[i], steps[i], x[a]));
    const rest = node.inputs.slice(1).map(() => null);
    if (picked.some((p) => p.length === 0)) throw unsupported(node, 'with an empty result');
    if (steps.every((s) => s === 1)) {
      const pads = new Array<number>(2 * rank).fill(0);
      axes.forEach((a, i) => {
        pads[a] = picked[i][0];
        pads[rank + a] = x[a] - 1 - picked[i][picked[i].length - 1];
      });
      const padded = ctx.out.opset >= 11 ? ctx.out.emit('Pad', [dy as string, ctx.out.int64s(pads)]) : ctx.out.emit('Pad', [dy as string], { pads: { ints: pads } });
      return [padded, ...rest];
    }
    let g = dy as string;
    axes.forEach((a, i) => {
      const matrix = oneHotMatrix(ctx, picked[i], x[a]);
      g = ctx.out.matmulAxis(g, a, rank, matrix);
    });
    return [g, ...rest];
  },
  Gather: (node, [dy], ctx) => {
    if (ctx.active(node.inputs[1])) throw unsupported(node, 'with respect to its indices');
    const data = ctx.shape(node.inputs[0]);
    const rank = data.length;
    const raw = intAttr(node, 'axis', 0);
    const axis = raw < 0 ? raw + rank : raw;
    const depth = data[axis];
    const k = prod(ctx.shape(node.inputs[1]));
    const constant = ctx.constant(node.inputs[1]);
    let matrix: string;
    if (constant) {
      matrix = oneHotMatrix(ctx, constantValues(node, constant, 'indices').map((v) => { const i = Number(v); return i < 0 ? i + depth : i; }), depth);
    } else {
      if (ctx.out.opset < 11) throw unsupported(node, 'with computed indices below opset 11');
      const hot = ctx.out.emit('OneHot', [node.inputs[1], ctx.out.int64s([depth]), ctx.out.floats([0, 1])], { axis: { i: -1 } });
      matrix = ctx.out.reshape(hot, [k, depth]);
    }
    const pre = prod(data.slice(0, axis));
    const post = prod(data.slice(axis + 1));
    const folded = ctx.out.reshape(dy as string, [pre, k, post]);
    return [ctx.out.reshape(ctx.out.matmulAxis(folded, 1, 3, matrix), data), null];
  },
};
