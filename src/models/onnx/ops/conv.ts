/**
 * ONNX Conv and ConvTranspose (1-D and 2-D) in channels-last layout: groups (plain, depthwise and
 * general), dilations, explicit pads and auto_pad. Filters are re-laid out once per constant.
 */
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../../../core/errors.js';
import { onnxChannelsLast, onnxLogical, onnxToChannelsLast, type OnnxOpCall, type OnnxOpHandler, type OnnxValue } from '../values.js';

/** Convolution geometry of one spatial axis. */
interface AxisGeometry {
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padBegin: number;
  readonly padEnd: number;
}

/** Reads kernel, strides, dilations and pads for `spatial` axes of input sizes `sizes` (forward convolutions and pools). */
export function onnxWindowGeometry(call: OnnxOpCall, sizes: readonly number[], kernel: readonly number[]): AxisGeometry[] {
  const n = sizes.length;
  const strides = call.attrs.ints('strides') ?? Array(n).fill(1);
  const dilations = call.attrs.ints('dilations') ?? Array(n).fill(1);
  const pads = call.attrs.ints('pads') ?? Array(2 * n).fill(0);
  const autoPad = call.attrs.string('auto_pad', 'NOTSET');
  check(strides.length === n && dilations.length === n && pads.length === 2 * n && kernel.length === n, 'model', () =>
    `ONNX node '${call.node}' (${call.opType}): strides/dilations/pads/kernel_shape do not match ${n} spatial axes`);
  check([...strides, ...dilations, ...kernel].every((v) => v >= 1) && pads.every((p) => p >= 0), 'model', () =>
    `ONNX node '${call.node}' (${call.opType}): strides, dilations and kernel sizes must be ≥ 1 and pads ≥ 0`);
  return sizes.map((size, i) => {
    const k = (kernel[i] - 1) * dilations[i] + 1;
    let padBegin = pads[i];
    let padEnd = pads[i + n];
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const out = Math.ceil(size / strides[i]);
      const total = Math.max((out - 1) * strides[i] + k - size, 0);
      const small = Math.floor(total / 2);
      padBegin = autoPad === 'SAME_UPPER' ? small : total - small;
      padEnd = total - padBegin;
    } else if (autoPad === 'VALID') {
      padBegin = 0;
      padEnd = 0;
    } else if (autoPad !== 'NOTSET') {
      throw call.attrs.unsupported(`auto_pad '${autoPad}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
    }
    return { kernel: kernel[i], stride: strides[i], dilation: dilations[i], padBegin, padEnd };
  });
}

function required(call: OnnxOpCall, i: number): OnnxValue {
  const v = call.inputs[i];
  if (!v) throw new LumenError('model', `ONNX node '${call.node}' (${call.opType}): input ${i} is required`);
  return v;
}

/** A filter derived from input 1, cached when that input is a constant. */
function derived(call: OnnxOpCall, key: string, make: () => tf.Tensor): tf.Tensor {
  if (!call.constant[1]) return make();
  const hit = call.cache.get(key);
  if (hit) return hit;
  const t = tf.keep(tf.tidy(make));
  call.cache.set(key, t);
  return t;
}

function addBias(call: OnnxOpCall, y: tf.Tensor): tf.Tensor {
  const b = call.inputs[2];
  return b ? tf.add(y, onnxLogical(b)) : y;
}

/** x [N, ...spatial, C] with 1 spatial axis as [N, 1, W, C]; back with `restore`. */
function as2d(x: tf.Tensor, spatial: number, what: string): { x4: tf.Tensor4D; restore: (y: tf.Tensor) => tf.Tensor } {
  if (spatial === 2) return { x4: x as tf.Tensor4D, restore: (y) => y };
  if (spatial === 1) return { x4: tf.expandDims(x, 1) as tf.Tensor4D, restore: (y) => tf.squeeze(y, [1]) };
  throw new LumenError('model', `${what}: ${spatial}-D convolutions are not supported (Lumen imports 1-D and 2-D ones)`);
}

function conv(call: OnnxOpCall): (OnnxValue | null)[] {
  const what = `ONNX node '${call.node}' (Conv)`;
  const x = required(call, 0);
  const w = required(call, 1);
  const wShape = onnxLogical(w).shape as number[];
  const spatial = wShape.length - 2;
  const group = call.attrs.int('group', 1);
  const xt = onnxToChannelsLast(x);
  const cin = xt.shape[xt.rank - 1];
  check(spatial >= 1 && x.tensor.rank === spatial + 2, 'model', () => `${what}: input of rank ${x.tensor.rank} does not match a filter of shape [${wShape}]`);
  check(group >= 1 && cin % group === 0 && wShape[0] % group === 0 && wShape[1] * group === cin, 'model', () =>
    `${what}: ${cin} input channels, group ${group} and filter [${wShape}] do not fit`);
  const { x4, restore } = as2d(xt, spatial, what);
  const kernel = call.attrs.ints('kernel_shape') ?? wShape.slice(2);
  const sizes = xt.shape.slice(1, 1 + spatial);
  const geo = onnxWindowGeometry(call, sizes, kernel);
  const g2 = spatial === 1 ? [{ kernel: 1, stride: 1, dilation: 1, padBegin: 0, padEnd: 0 }, geo[0]] : geo;
  const strides: [number, number] = [g2[0].stride, g2[1].stride];
  const dilations: [number, number] = [g2[0].dilation, g2[1].dilation];
  const pad: tf.backend_util.ExplicitPadding = [[0, 0], [g2[0].padBegin, g2[0].padEnd], [g2[1].padBegin, g2[1].padEnd], [0, 0]];
  const cout = wShape[0];
  const w4 = (): tf.Tensor => {
    const wl = onnxLogical(w);
    return spatial === 1 ? tf.expandDims(wl, 2) : wl;
  };
  let y: tf.Tensor;
  if (group === 1) {
    const f = derived(call, 'hwio', () => tf.transpose(w4(), [2, 3, 1, 0])) as tf.Tensor4D;
    y = tf.conv2d(x4, f, strides, pad, 'NHWC', dilations);
  } else if (group === cin && wShape[1] === 1) {
    const m = cout / cin;
    const f = derived(call, 'depthwise', () => {
      const wl = w4();
      return tf.transpose(tf.reshape(wl, [cin, m, wl.shape[2] as number, wl.shape[3] as number]), [2, 3, 0, 1]);
    }) as tf.Tensor4D;
    y = tf.depthwiseConv2d(x4, f, strides, pad, 'NHWC', dilations);
  } else {
    const fs = tf.split(derived(call, 'hwio', () => tf.transpose(w4(), [2, 3, 1, 0])), group, 3) as tf.Tensor4D[];
    const xs = tf.split(x4, group, 3) as tf.Tensor4D[];
    y = tf.concat(xs.map((xi, i) => tf.conv2d(xi, fs[i], strides, pad, 'NHWC', dilations)), 3);
  }
  return [onnxChannelsLast(addBias(call, restore(y)))];
}

/** Spreads a [kH, kW, a, b] filter with zeros between taps for dilations > 1. */
function dilateFilter(f: tf.Tensor4D, dh: number, dw: number): tf.Tensor4D {
  if (dh === 1 && dw === 1) return f;
  const [kh, kw, a, b] = f.shape;
  const hIdx: number[] = [];
  const wIdx: number[] = [];
  const zeros = tf.zeros([1, kw, a, b]);
  const withZero = tf.concat([f, zeros], 0);
  for (let i = 0; i < (kh - 1) * dh + 1; i++) hIdx.push(i % dh === 0 ? i / dh : kh);
  const h = tf.gather(withZero, hIdx, 0);
  const withZeroW = tf.concat([h, tf.zeros([h.shape[0], 1, a, b])], 1);
  for (let j = 0; j < (kw - 1) * dw + 1; j++) wIdx.push(j % dw === 0 ? j / dw : kw);
  return tf.gather(withZeroW, wIdx, 1) as tf.Tensor4D;
}

function convTranspose(call: OnnxOpCall): (OnnxValue | null)[] {
  const what = `ONNX node '${call.node}' (ConvTranspose)`;
  const x = required(call, 0);
  const w = required(call, 1);
  const wShape = onnxLogical(w).shape as number[];
  const spatial = wShape.length - 2;
  const group = call.attrs.int('group', 1);
  const xt = onnxToChannelsLast(x);
  const cin = xt.shape[xt.rank - 1];
  check(spatial >= 1 && x.tensor.rank === spatial + 2 && wShape[0] === cin && cin % group === 0, 'model', () =>
    `${what}: input [${onnxLogical(x).shape}] and filter [${wShape}] with group ${group} do not fit`);
  const { x4, restore } = as2d(xt, spatial, what);
  const n = spatial;
  const kernel = call.attrs.ints('kernel_shape') ?? wShape.slice(2);
  const strides = call.attrs.ints('strides') ?? Array(n).fill(1);
  const dilations = call.attrs.ints('dilations') ?? Array(n).fill(1);
  const outPad = call.attrs.ints('output_padding') ?? Array(n).fill(0);
  const pads = call.attrs.ints('pads') ?? Array(2 * n).fill(0);
  const outputShape = call.attrs.ints('output_shape');
  const autoPad = call.attrs.string('auto_pad', 'NOTSET');
  const sizes = xt.shape.slice(1, 1 + n);
  const full = sizes.map((s, i) => (s - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1);
  const begin: number[] = [];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (outputShape || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const o = outputShape ? outputShape[outputShape.length - n + i] : sizes[i] * strides[i];
      const total = full[i] + outPad[i] - o;
      const half = Math.floor(total / 2);
      // A negative total (output_shape larger than the full result) adds zeros at the end.
      begin.push(total < 0 ? 0 : autoPad === 'SAME_LOWER' ? total - half : half);
      out.push(o);
    } else {
      begin.push(autoPad === 'VALID' ? 0 : pads[i]);
      out.push(full[i] + outPad[i] - (autoPad === 'VALID' ? 0 : pads[i] + pads[i + n]));
    }
  }
  const g = (a: number[], fill: number): number[] => (n === 1 ? [fill, a[0]] : a);
  const s2 = g(strides, 1) as [number, number];
  const d2 = g(dilations, 1);
  const full2 = g(full, 1);
  const coutPerGroup = wShape[1] as number;
  const f = derived(call, 'hwoi', () => {
    const wl = onnxLogical(w);
    const w4 = n === 1 ? tf.expandDims(wl, 2) : wl;
    return dilateFilter(tf.transpose(w4, [2, 3, 1, 0]) as tf.Tensor4D, d2[0], d2[1]);
  }) as tf.Tensor4D;
  const fs = group === 1 ? [f] : (tf.split(f, group, 3) as tf.Tensor4D[]);
  const xs = group === 1 ? [x4] : (tf.split(x4, group, 3) as tf.Tensor4D[]);
  const N = x4.shape[0];
  let y: tf.Tensor = tf.concat(
    xs.map((xi, i) => tf.conv2dTranspose(xi, fs[i], [N, full2[0], full2[1], coutPerGroup], s2, 'valid')),
    3,
  );
  const begin2 = g(begin, 0);
  const out2 = g(out, 1);
  const extra = out2.map((o, i) => Math.max(0, begin2[i] + o - full2[i]));
  check(begin2.every((b) => b >= 0) && out2.every((o) => o > 0), 'model', () => `${what}: pads and output_shape give an empty or negative output`);
  if (extra.some((e) => e > 0)) y = tf.pad(y, [[0, 0], [0, extra[0]], [0, extra[1]], [0, 0]]);
  y = tf.slice(y, [0, begin2[0], begin2[1], 0], [N, out2[0], out2[1], y.shape[3] as number]);
  return [onnxChannelsLast(addBias(call, restore(y)))];
}

/** The convolution ONNX ops, by op type. */
export const ONNX_CONV_OPS: Readonly<Record<string, OnnxOpHandler>> = {
  Conv: conv,
  ConvTranspose: convTranspose,
};
