import type { BackwardContext } from './rule-types.js';
import type { OrtNode } from '../ort-graph.js';
import { intsAttr, stringAttr, unsupported } from './attributes.js';

/**
 * The adjoint (input gradient) of a convolution-like window op — Conv, and AveragePool as a
 * depthwise Conv of 1/k — written as forward Convs, which onnxruntime runs with its fast (NCHWc)
 * kernels where its ConvTranspose is several times slower (grouped and depthwise ConvTranspose
 * above all):
 * - stride 1: one Conv of `dy` with the kernel flipped and its channel axes swapped per group
 *   (pads d·(k−1)−p; a Slice where those would be negative);
 * - stride s > 1 (2-D, equal strides, no dilation): polyphase — the input positions of each of the
 *   s² phases (t mod s) are a stride-1 Conv of `dy` with the sub-kernel of the taps that reach
 *   them (⌈k/s⌉ taps per axis), interleaved by DepthToSpace (DCR) and cropped to the padding.
 *   Without groups the s² phases are one Conv with s²·C_in outputs; with groups (depthwise), one
 *   Conv per phase, concatenated, so each keeps the op's own grouping;
 * - other forms (strided with dilation, unequal strides, not 2-D): ConvTranspose (`transposedWindow`).
 * `w` holds the forward kernel `[C_out, C_in/group, k…]` (row-major), `weights` its graph value.
 */
export function convAdjoint(node: OrtNode, ctx: BackwardContext, dy: string, w: ArrayLike<number>, weights: string, kernel: readonly number[], group: number): string {
  const n = kernel.length;
  const strides = intsAttr(node, 'strides', new Array<number>(n).fill(1));
  const dilations = intsAttr(node, 'dilations', new Array<number>(n).fill(1));
  const pads = explicitPads(node, ctx, kernel, strides, dilations);
  const x = ctx.shape(node.inputs[0]);
  const y = ctx.shape(node.outputs[0]);
  const cout = y[1];
  const cin = x[1];
  if (strides.every((s) => s === 1)) return strideOne(ctx, dy, flipped(w, cout, cin, group, kernel), kernel, dilations, pads, x, y, group);
  if (n === 2 && strides[0] === strides[1] && dilations.every((d) => d === 1)) return polyphase(ctx, dy, w, cout, cin, group, kernel, strides[0], pads, x, y);
  return transposedWindow(node, ctx, dy, weights, kernel, group);
}

/** The kernel flipped in space with its channel axes swapped within each group: `[C_in, C_out/group, k…]`. */
function flipped(w: ArrayLike<number>, cout: number, cin: number, group: number, kernel: readonly number[]): Float32Array {
  const size = kernel.reduce((a, b) => a * b, 1);
  const og = cout / group;
  const ig = cin / group;
  const t = new Float32Array(cout * ig * size);
  for (let g = 0; g < group; g++) for (let o = 0; o < og; o++) for (let i = 0; i < ig; i++) {
    const src = ((g * og + o) * ig + i) * size;
    const dst = ((g * ig + i) * og + o) * size;
    for (let k = 0; k < size; k++) t[dst + size - 1 - k] = w[src + k];
  }
  return t;
}

function strideOne(ctx: BackwardContext, dy: string, wt: Float32Array, kernel: readonly number[], dilations: readonly number[], pads: readonly number[], x: readonly number[], y: readonly number[], group: number): string {
  const { out } = ctx;
  const n = kernel.length;
  const begin: number[] = [];
  const end: number[] = [];
  const starts: number[] = [];
  let crop = false;
  for (let a = 0; a < n; a++) {
    const reach = dilations[a] * (kernel[a] - 1);
    // dx[i] = Σ_k w[k]·dy[i + p − d·k]: a correlation with the flipped kernel, padded d·(k−1) − p before and x − y + p after.
    const b = reach - pads[a];
    const e = x[2 + a] - y[2 + a] + pads[a];
    begin.push(Math.max(0, b));
    end.push(Math.max(0, e));
    starts.push(Math.max(0, -b));
    const length = y[2 + a] + Math.max(0, b) + Math.max(0, e) - reach;
    if (b < 0 || length !== x[2 + a]) crop = true;
  }
  const dx = out.emit('Conv', [dy, out.floats(wt, [x[1], y[1] / group, ...kernel])], {
    kernel_shape: { ints: kernel },
    dilations: { ints: dilations },
    group: { i: group },
    pads: { ints: [...begin, ...end] },
  });
  const axes = kernel.map((_, a) => 2 + a);
  return crop ? out.slice(dx, starts, starts.map((s, a) => s + x[2 + a]), axes) : dx;
}

function polyphase(ctx: BackwardContext, dy: string, w: ArrayLike<number>, cout: number, cin: number, group: number, kernel: readonly number[], s: number, pads: readonly number[], x: readonly number[], y: readonly number[]): string {
  const { out } = ctx;
  const [kh, kw] = kernel;
  const og = cout / group;
  const ig = cin / group;
  const taps = kernel.map((k) => Math.ceil(k / s));
  const [mh, mw] = taps;
  // Phase rows q = 0 … Q−1 cover padded positions t = s·q + r up to the input's end.
  const extra = [0, 1].map((a) => Math.max(0, Math.ceil((pads[a] + x[2 + a]) / s) - y[2 + a]));
  const attrs = (g: number) => ({ kernel_shape: { ints: taps }, group: { i: g }, pads: { ints: [mh - 1, mw - 1, extra[0], extra[1]] } });
  // Phase (rh, rw)'s kernel: tap (jh, jw) is the forward tap (rh + s·(mh−1−jh), rw + s·(mw−1−jw)), channels swapped per group.
  const phase = (rh: number, rw: number, into: Float32Array, base: number): void => {
    for (let g = 0; g < group; g++) for (let o = 0; o < og; o++) for (let i = 0; i < ig; i++) for (let jh = 0; jh < mh; jh++) for (let jw = 0; jw < mw; jw++) {
      const th = rh + s * (mh - 1 - jh);
      const tw = rw + s * (mw - 1 - jw);
      if (th >= kh || tw >= kw) continue;
      into[(((base + g * ig + i) * og + o) * mh + jh) * mw + jw] = w[(((g * og + o) * ig + i) * kh + th) * kw + tw];
    }
  };
  let phases: string;
  if (group === 1) {
    const all = new Float32Array(s * s * cin * og * mh * mw);
    for (let rh = 0; rh < s; rh++) for (let rw = 0; rw < s; rw++) phase(rh, rw, all, (rh * s + rw) * cin);
    phases = out.emit('Conv', [dy, out.floats(all, [s * s * cin, og, mh, mw])], attrs(1));
  } else {
    const list: string[] = [];
    for (let rh = 0; rh < s; rh++) for (let rw = 0; rw < s; rw++) {
      const one = new Float32Array(cin * og * mh * mw);
      phase(rh, rw, one, 0);
      list.push(out.emit('Conv', [dy, out.floats(one, [cin, og, mh, mw])], attrs(group)));
    }
    phases = out.emit('Concat', list, { axis: { i: 1 } });
  }
  const dx = out.emit('DepthToSpace', [phases], { blocksize: { i: s }, mode: { s: 'DCR' } });
  const rows = [0, 1].map((a) => s * (y[2 + a] + extra[a]));
  const crop = pads[0] > 0 || pads[1] > 0 || rows[0] !== x[2] || rows[1] !== x[3];
  return crop ? out.slice(dx, [pads[0], pads[1]], [pads[0] + x[2], pads[1] + x[3]], [2, 3]) : dx;
}

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
