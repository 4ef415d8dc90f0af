/**
 * ONNX ops that move, select or create data: Reshape, Flatten, Transpose, Squeeze, Unsqueeze,
 * Concat, Split, Slice, Gather, Pad, Shape, Constant, ConstantOfShape, Expand, Tile, Range, Dropout.
 * Concat, Split, Slice and Pad keep a channels-last input channels-last (their axes are mapped);
 * the others work in ONNX layout.
 */
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../../../core/errors.js';
import { tfjsTypeOf, type OnnxTensorData } from '../decode.js';
import {
  onnxAxis, onnxCheckSize, onnxFloats, onnxInts, onnxLogical, onnxPhysicalAxis, onnxPlain, onnxShape, onnxTensorOf, onnxToChannelsLast,
  type OnnxOpCall, type OnnxOpHandler, type OnnxValue,
} from '../values.js';
import { onnxDropout } from './elementwise.js';

function required(call: OnnxOpCall, i: number): OnnxValue {
  const v = call.inputs[i];
  if (!v) throw new LumenError('model', `ONNX node '${call.node}' (${call.opType}): input ${i} is required`);
  return v;
}

const what = (call: OnnxOpCall): string => `ONNX node '${call.node}' (${call.opType})`;

function reshape(call: OnnxOpCall): (OnnxValue | null)[] {
  const x = onnxLogical(required(call, 0));
  const spec = call.opset < 5 ? (call.attrs.ints('shape') ?? []) : onnxInts(call.inputs[1], `${what(call)} shape`);
  const allowZero = call.attrs.int('allowzero', 0) === 1;
  const shape = spec.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
  const minus = shape.filter((d) => d === -1).length;
  check(minus <= 1 && shape.every((d) => d >= -1 && d !== undefined), 'model', () => `${what(call)}: invalid target shape [${spec}]`);
  if (minus === 1) {
    const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
    check(known > 0 && x.size % known === 0, 'model', () => `${what(call)}: cannot reshape [${x.shape}] to [${spec}]`);
    shape[shape.indexOf(-1)] = x.size / known;
  }
  check(shape.reduce((p, d) => p * d, 1) === x.size, 'model', () => `${what(call)}: cannot reshape [${x.shape}] (${x.size} values) to [${spec}]`);
  return [onnxPlain(tf.reshape(x, shape))];
}

function flatten(call: OnnxOpCall): (OnnxValue | null)[] {
  const x = onnxLogical(required(call, 0));
  const axis = call.attrs.int('axis', 1);
  const a = axis < 0 ? axis + x.rank : axis;
  check(a >= 0 && a <= x.rank, 'model', () => `${what(call)}: axis ${axis} is out of range for rank ${x.rank}`);
  const rows = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
  const cols = x.shape.slice(a).reduce((p, d) => p * d, 1);
  return [onnxPlain(tf.reshape(x, [rows, cols]))];
}

function transpose(call: OnnxOpCall): (OnnxValue | null)[] {
  const x = onnxLogical(required(call, 0));
  const perm = call.attrs.ints('perm') ?? Array.from({ length: x.rank }, (_, i) => x.rank - 1 - i);
  check(perm.length === x.rank && [...perm].sort((p, q) => p - q).every((p, i) => p === i), 'model', () => `${what(call)}: perm [${perm}] is not a permutation of ${x.rank} axes`);
  return [onnxPlain(tf.transpose(x, perm))];
}

function axesOf(call: OnnxOpCall): number[] | undefined {
  return call.opset >= 13 ? (call.inputs[1] ? onnxInts(call.inputs[1], `${what(call)} axes`) : undefined) : call.attrs.ints('axes');
}

function squeeze(call: OnnxOpCall): (OnnxValue | null)[] {
  const x = onnxLogical(required(call, 0));
  const axes = axesOf(call)?.map((a) => onnxAxis(a, x.rank, what(call)));
  if (axes) check(axes.every((a) => x.shape[a] === 1), 'model', () => `${what(call)}: axes [${axes}] of [${x.shape}] are not all 1`);
  const keep = x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  return [onnxPlain(tf.reshape(x, keep))];
}

function unsqueeze(call: OnnxOpCall): (OnnxValue | null)[] {
  const x = onnxLogical(required(call, 0));
  const axes = axesOf(call) ?? [];
  const rank = x.rank + axes.length;
  const norm = axes.map((a) => onnxAxis(a, rank, what(call)));
  check(new Set(norm).size === norm.length, 'model', () => `${what(call)}: repeated axes [${axes}]`);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(norm.includes(i) ? 1 : x.shape[k++]);
  return [onnxPlain(tf.reshape(x, shape))];
}

function concat(call: OnnxOpCall): (OnnxValue | null)[] {
  const vs = call.inputs.filter((v): v is OnnxValue => v !== null);
  check(vs.length > 0, 'model', () => `${what(call)}: no inputs`);
  const rank = vs[0].tensor.rank;
  const axis = onnxAxis(call.attrs.int('axis', 0), rank, what(call));
  const cl = vs.some((v) => v.channelsLast) && vs.every((v) => v.tensor.rank === rank);
  if (cl) {
    const ts = vs.map(onnxToChannelsLast);
    return [{ tensor: tf.concat(ts, onnxPhysicalAxis({ tensor: ts[0], channelsLast: true }, axis)), channelsLast: true }];
  }
  const ts = vs.map(onnxLogical);
  const dtype = ts.some((t) => t.dtype === 'float32') ? 'float32' : ts[0].dtype;
  return [onnxPlain(tf.concat(ts.map((t) => (t.dtype === dtype ? t : tf.cast(t, dtype))), axis))];
}

function split(call: OnnxOpCall): (OnnxValue | null)[] {
  const v = required(call, 0);
  const shape = onnxShape(v);
  const axis = onnxAxis(call.attrs.int('axis', 0), shape.length, what(call));
  let sizes = call.opset >= 13 ? (call.inputs[1] ? onnxInts(call.inputs[1], `${what(call)} split`) : undefined) : call.attrs.ints('split');
  if (!sizes || sizes.length === 0) {
    const parts = call.attrs.int('num_outputs', call.outputCount);
    const size = Math.ceil(shape[axis] / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(size, shape[axis] - i * size)));
  }
  check(sizes.reduce((p, d) => p + d, 0) === shape[axis] && sizes.every((s) => s >= 0), 'model', () =>
    `${what(call)}: split sizes [${sizes}] do not add up to ${shape[axis]}`);
  const parts = tf.split(v.tensor, sizes, onnxPhysicalAxis(v, axis));
  return parts.map((t) => ({ tensor: t, channelsLast: v.channelsLast }));
}

function slice(call: OnnxOpCall): (OnnxValue | null)[] {
  const v = required(call, 0);
  const shape = onnxShape(v);
  let starts: number[];
  let ends: number[];
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (call.opset < 10) {
    starts = call.attrs.ints('starts') ?? [];
    ends = call.attrs.ints('ends') ?? [];
    axes = call.attrs.ints('axes');
  } else {
    starts = onnxInts(call.inputs[1], `${what(call)} starts`);
    ends = onnxInts(call.inputs[2], `${what(call)} ends`);
    axes = call.inputs[3] ? onnxInts(call.inputs[3], `${what(call)} axes`) : undefined;
    steps = call.inputs[4] ? onnxInts(call.inputs[4], `${what(call)} steps`) : undefined;
  }
  axes ??= starts.map((_, i) => i);
  check(starts.length === ends.length && axes.length === starts.length && (!steps || steps.length === starts.length), 'model', () =>
    `${what(call)}: starts, ends, axes and steps differ in length`);
  let t = v.tensor;
  const begin = t.shape.map(() => 0);
  const size = t.shape.slice();
  const strides = t.shape.map(() => 1);
  for (let i = 0; i < axes.length; i++) {
    const a = onnxAxis(axes[i], shape.length, what(call));
    const p = onnxPhysicalAxis(v, a);
    const d = shape[a];
    const step = steps?.[i] ?? 1;
    check(step !== 0, 'model', () => `${what(call)}: step 0`);
    const clampTo = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);
    let s = starts[i] < 0 ? starts[i] + d : starts[i];
    let e = ends[i] < 0 ? ends[i] + d : ends[i];
    if (step > 0) {
      s = clampTo(s, 0, d);
      e = clampTo(e, 0, d);
    } else {
      // Reverse the axis and slice forwards: index j ↦ d − 1 − j.
      s = clampTo(s, -1, d - 1);
      e = clampTo(e, -1, d - 1);
      t = tf.reverse(t, p);
      [s, e] = [d - 1 - s, d - 1 - e];
    }
    const st = Math.abs(step);
    begin[p] = s;
    size[p] = Math.max(0, Math.ceil((e - s) / st));
    strides[p] = st;
  }
  let out: tf.Tensor;
  if (strides.every((s) => s === 1)) out = tf.slice(t, begin, size);
  else out = tf.stridedSlice(t, begin, begin.map((b, i) => b + (size[i] - 1) * strides[i] + 1), strides);
  return [{ tensor: out, channelsLast: v.channelsLast }];
}

function gather(call: OnnxOpCall): (OnnxValue | null)[] {
  const x = onnxLogical(required(call, 0));
  const idx = onnxLogical(required(call, 1));
  const axis = onnxAxis(call.attrs.int('axis', 0), x.rank, what(call));
  const d = x.shape[axis];
  const i32 = idx.dtype === 'int32' ? idx : tf.cast(idx, 'int32');
  const fixed = tf.where(tf.less(i32, 0), tf.add(i32, tf.scalar(d, 'int32')), i32);
  const values = fixed.dataSync();
  for (const v of values) check(v >= 0 && v < d, 'model', () => `${what(call)}: index ${v} is out of range for a dimension of ${d}`);
  if (idx.rank === 0) return [onnxPlain(tf.squeeze(tf.gather(x, tf.reshape(fixed, [1]), axis), [axis]))];
  return [onnxPlain(tf.gather(x, fixed, axis))];
}

/** Pads by repeating the border value along each padded axis (edge mode), with gathers. */
function edgePad(x: tf.Tensor, pads: Array<[number, number]>): tf.Tensor {
  let t = x;
  pads.forEach(([b, e], axis) => {
    if (b === 0 && e === 0) return;
    const d = t.shape[axis];
    const idx = Array.from({ length: d + b + e }, (_, i) => Math.min(Math.max(i - b, 0), d - 1));
    t = tf.gather(t, idx, axis);
  });
  return t;
}

function pad(call: OnnxOpCall): (OnnxValue | null)[] {
  const v = required(call, 0);
  const rank = v.tensor.rank;
  const mode = call.attrs.string('mode', 'constant');
  const raw = call.opset < 11 ? (call.attrs.ints('pads') ?? []) : onnxInts(call.inputs[1], `${what(call)} pads`);
  const value = call.opset < 11 ? call.attrs.float('value', 0) : call.inputs[2] && call.inputs[2].tensor.size > 0 ? onnxFloats(call.inputs[2], `${what(call)} constant_value`)[0] : 0;
  const axes = call.opset >= 18 && call.inputs[3] ? onnxInts(call.inputs[3], `${what(call)} axes`).map((a) => onnxAxis(a, rank, what(call))) : Array.from({ length: rank }, (_, i) => i);
  check(raw.length === 2 * axes.length, 'model', () => `${what(call)}: expected ${2 * axes.length} pads; found ${raw.length}`);
  const pads: Array<[number, number]> = Array.from({ length: rank }, () => [0, 0]);
  axes.forEach((a, i) => (pads[onnxPhysicalAxis(v, a)] = [raw[i], raw[i + axes.length]]));
  // Negative pads crop: slice first, then pad by the positive parts.
  let t = v.tensor;
  if (pads.some(([b, e]) => b < 0 || e < 0)) {
    const begin = pads.map(([b]) => Math.max(0, -b));
    const size = t.shape.map((d, i) => d - begin[i] - Math.max(0, -pads[i][1]));
    check(size.every((s) => s >= 0), 'model', () => `${what(call)}: pads crop more than the input holds`);
    t = tf.slice(t, begin, size);
  }
  const pos = pads.map(([b, e]) => [Math.max(0, b), Math.max(0, e)] as [number, number]);
  onnxCheckSize(t.shape.map((d, i) => d + pos[i][0] + pos[i][1]), what(call));
  let out: tf.Tensor;
  if (pos.every(([b, e]) => b === 0 && e === 0)) out = t;
  else if (mode === 'constant') out = tf.pad(t, pos, value);
  else if (mode === 'reflect') {
    check(pos.every(([b, e], i) => b < t.shape[i] && e < t.shape[i]), 'model', () => `${what(call)}: reflect pads must be smaller than the dimension`);
    out = tf.mirrorPad(t, pos, 'reflect');
  } else if (mode === 'edge') out = edgePad(t, pos);
  else throw call.attrs.unsupported(`Pad mode '${mode}' is not supported (constant, reflect, edge are)`);
  return [{ tensor: out, channelsLast: v.channelsLast }];
}

function shapeOp(call: OnnxOpCall): (OnnxValue | null)[] {
  const s = onnxShape(required(call, 0));
  const r = s.length;
  const norm = (a: number): number => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
  const start = norm(call.attrs.int('start', 0));
  const end = call.attrs.has('end') ? norm(call.attrs.int('end', r)) : r;
  return [onnxPlain(tf.tensor1d(s.slice(start, Math.max(start, end)), 'int32'))];
}

function constantData(call: OnnxOpCall): OnnxTensorData | tf.Tensor {
  const t = call.attrs.tensor('value');
  if (t) return t;
  if (call.attrs.has('value_float')) return tf.scalar(call.attrs.float('value_float', 0));
  if (call.attrs.has('value_floats')) return tf.tensor1d(call.attrs.floats('value_floats') ?? []);
  if (call.attrs.has('value_int')) return tf.scalar(call.attrs.int('value_int', 0), 'int32');
  if (call.attrs.has('value_ints')) return tf.tensor1d(call.attrs.ints('value_ints') ?? [], 'int32');
  throw call.attrs.unsupported('Constant without a value, value_float(s) or value_int(s) (sparse and string constants are not supported)');
}

function constant(call: OnnxOpCall): (OnnxValue | null)[] {
  const d = constantData(call);
  return [onnxPlain(d instanceof tf.Tensor ? d : onnxTensorOf(d))];
}

function constantOfShape(call: OnnxOpCall): (OnnxValue | null)[] {
  const shape = onnxInts(call.inputs[0], `${what(call)} shape`);
  onnxCheckSize(shape, what(call));
  const v = call.attrs.tensor('value');
  const dtype = v ? (tfjsTypeOf(v.onnxType) ?? 'float32') : 'float32';
  const value = v && v.values.length > 0 ? v.values[0] : 0;
  return [onnxPlain(tf.fill(shape, value, dtype))];
}

function expand(call: OnnxOpCall): (OnnxValue | null)[] {
  const x = onnxLogical(required(call, 0));
  const shape = onnxInts(call.inputs[1], `${what(call)} shape`);
  const out = tf.broadcast_util.assertAndGetBroadcastShape(x.shape, shape);
  onnxCheckSize(out, what(call));
  const lifted = x.rank < out.length ? tf.reshape(x, [...Array(out.length - x.rank).fill(1), ...x.shape]) : x;
  return [onnxPlain(tf.broadcastTo(lifted, out))];
}

function tile(call: OnnxOpCall): (OnnxValue | null)[] {
  const x = onnxLogical(required(call, 0));
  const reps = onnxInts(call.inputs[1], `${what(call)} repeats`);
  check(reps.length === x.rank && reps.every((r) => r >= 0), 'model', () => `${what(call)}: repeats [${reps}] do not fit rank ${x.rank}`);
  onnxCheckSize(x.shape.map((d, i) => d * reps[i]), what(call));
  return [onnxPlain(tf.tile(x, reps))];
}

function range(call: OnnxOpCall): (OnnxValue | null)[] {
  const [start, limit, delta] = [0, 1, 2].map((i) => onnxFloats(call.inputs[i], `${what(call)} input ${i}`)[0]);
  check(delta !== 0 && Number.isFinite(start) && Number.isFinite(limit) && Number.isFinite(delta), 'model', () => `${what(call)}: invalid range ${start}, ${limit}, ${delta}`);
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  onnxCheckSize([n], what(call));
  const dtype = required(call, 0).tensor.dtype === 'int32' ? 'int32' : 'float32';
  const values = Array.from({ length: n }, (_, i) => start + i * delta);
  return [onnxPlain(tf.tensor1d(values, dtype))];
}

/** The data-movement and creation ONNX ops, by op type. */
export const ONNX_TENSOR_OPS: Readonly<Record<string, OnnxOpHandler>> = {
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  Pad: pad,
  Shape: shapeOp,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Expand: expand,
  Tile: tile,
  Range: range,
  Dropout: onnxDropout,
};
