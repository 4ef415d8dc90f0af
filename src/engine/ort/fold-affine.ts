import type { OrtEmitter } from './emitter.js';
import type { OrtNode, OrtTensor } from './ort-graph.js';

/**
 * Folds the per-channel affine maps that follow a Conv — a BatchNormalization in inference mode,
 * or the Mul (and Add) by per-channel constants that tfjs BatchNormalization layers become in
 * layers-to-onnx.ts, possibly behind Identity and NCHW→NHWC Transpose nodes — into the Conv's
 * kernel and bias: W′[o] = W[o]·a[o], b′ = b·a + c. The folded nodes become Identity, so every
 * value keeps its name and the backward graph has no scaling pass of its own (the scale is inside
 * the kernel its Conv adjoint uses). A chain folds only when each value on it has one reader and
 * is not in `keep` (the gradient's wrt value, the output). New kernels are `out`'s initializers.
 */
export function foldAffineIntoConv(nodes: readonly OrtNode[], constant: (v: string) => OrtTensor | undefined, shape: (v: string) => readonly number[] | undefined, keep: ReadonlySet<string>, out: OrtEmitter): OrtNode[] {
  const result = [...nodes];
  const readers = new Map<string, number[]>();
  result.forEach((n, k) => n.inputs.forEach((i) => i && readers.set(i, [...(readers.get(i) ?? []), k])));
  const only = (v: string): number | undefined => {
    const r = readers.get(v);
    return r && r.length === 1 && !keep.has(v) ? r[0] : undefined;
  };
  result.forEach((conv, at) => {
    if (conv.op !== 'Conv') return;
    const w = constant(conv.inputs[1]);
    const b = conv.inputs[2] ? constant(conv.inputs[2]) : undefined;
    if (!w || w.type !== 1 || (conv.inputs[2] && !b)) return;
    const channels = w.dims[0];
    let v = conv.outputs[0];
    let axis = 1;
    let next = only(v);
    while (next !== undefined && (result[next].op === 'Identity' || isToNhwc(result[next]) && axis === 1)) {
      if (result[next].op === 'Transpose') axis = -1;
      v = result[next].outputs[0];
      next = only(v);
    }
    const scale = new Float32Array(channels).fill(1);
    const shift = new Float32Array(channels);
    const folded: number[] = [];
    const node = (k: number | undefined): OrtNode | undefined => (k === undefined ? undefined : result[k]);
    const bn = node(next);
    if (bn?.op === 'BatchNormalization' && axis === 1 && bn.inputs[0] === v && bn.outputs.length === 1) {
      const [g, beta, mean, variance] = bn.inputs.slice(1).map((i) => perChannel(constant(i), channels, [channels]));
      const training = bn.attrs?.training_mode;
      if (!g || !beta || !mean || !variance || (training && 'i' in training && training.i !== 0)) return;
      const epsAttr = bn.attrs?.epsilon;
      const eps = epsAttr && 'f' in epsAttr ? epsAttr.f : 1e-5;
      for (let c = 0; c < channels; c++) {
        scale[c] = g[c] / Math.sqrt(variance[c] + eps);
        shift[c] = beta[c] - mean[c] * scale[c];
      }
      folded.push(next as number);
    } else {
      const rank = shape(v)?.length;
      if (rank === undefined) return;
      const layout = axis === 1 ? [channels, ...new Array<number>(rank - 2).fill(1)] : [channels];
      const operand = (n: OrtNode): Float32Array | undefined => {
        if (n.inputs.length !== 2 || !n.inputs.includes(v) || n.inputs[0] === n.inputs[1]) return undefined;
        return perChannel(constant(n.inputs[0] === v ? n.inputs[1] : n.inputs[0]), channels, layout);
      };
      let m = node(next);
      const a = m?.op === 'Mul' ? operand(m) : undefined;
      if (m && a) {
        scale.set(a);
        folded.push(next as number);
        v = m.outputs[0];
        next = only(v);
        m = node(next);
      }
      const c = m?.op === 'Add' ? operand(m) : undefined;
      if (c) {
        shift.set(c);
        folded.push(next as number);
      }
    }
    if (folded.length === 0) return;
    const size = w.values.length / channels;
    const kernel = Float32Array.from(w.values as ArrayLike<number>, (x, i) => x * scale[Math.floor(i / size)]);
    const bias = Float32Array.from(shift, (s, o) => s + (b ? Number((b.values as ArrayLike<number>)[o]) * scale[o] : 0));
    result[at] = { ...conv, inputs: [conv.inputs[0], out.floats(kernel, w.dims), out.floats(bias, [channels])] };
    for (const k of folded) {
      const f = result[k];
      const input = f.op === 'BatchNormalization' ? f.inputs[0] : (f.inputs.find((i) => !constant(i)) as string);
      result[k] = { op: 'Identity', inputs: [input], outputs: [f.outputs[0]] };
    }
  });
  return result;
}

function isToNhwc(n: OrtNode): boolean {
  const perm = n.attrs?.perm;
  return n.op === 'Transpose' && !!perm && 'ints' in perm && perm.ints.join() === '0,2,3,1';
}

/**
 * A float constant that broadcasts along one channel axis only, as `channels` numbers: its dims,
 * right-aligned against `layout` (the per-channel shape, channel axis first), are 1 except on
 * that axis, where they are `channels` (or 1: the same number for every channel).
 */
function perChannel(t: OrtTensor | undefined, channels: number, layout: readonly number[]): Float32Array | undefined {
  if (!t || t.type !== 1 || t.dims.length > layout.length + 1) return undefined;
  const dims = [...new Array<number>(Math.max(0, layout.length - t.dims.length)).fill(1), ...t.dims.slice(Math.max(0, t.dims.length - layout.length))];
  if (t.dims.length > layout.length && t.dims[0] !== 1) return undefined;
  if (dims.some((d, i) => (i === 0 ? d !== channels && d !== 1 : d !== 1))) return undefined;
  const values = t.values as ArrayLike<number>;
  return Float32Array.from({ length: channels }, (_, c) => Number(values[values.length === 1 ? 0 : c]));
}
