/**
 * ONNX pooling (1-D and 2-D MaxPool and AveragePool with pads, auto_pad, ceil_mode, dilations for
 * max; GlobalAveragePool and GlobalMaxPool of any rank) in channels-last layout.
 */
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../../../core/errors.js';
import { onnxChannelsLast, onnxToChannelsLast, type OnnxOpCall, type OnnxOpHandler, type OnnxValue } from '../values.js';
import { onnxWindowGeometry } from './conv.js';

function input(call: OnnxOpCall): OnnxValue {
  const v = call.inputs[0];
  if (!v) throw new LumenError('model', `ONNX node '${call.node}' (${call.opType}): input 0 is required`);
  return v;
}

/** Pads and output sizes of a pool: explicit pads plus what ceil_mode adds at the end. */
function poolPlan(call: OnnxOpCall, sizes: number[]) {
  const kernel = call.attrs.ints('kernel_shape');
  check(kernel && kernel.length === sizes.length, 'model', () => `ONNX node '${call.node}' (${call.opType}): kernel_shape must list ${sizes.length} sizes`);
  const geo = onnxWindowGeometry(call, sizes, kernel);
  const ceil = call.attrs.int('ceil_mode', 0) === 1;
  return geo.map((g, i) => {
    const span = (g.kernel - 1) * g.dilation + 1;
    const room = sizes[i] + g.padBegin + g.padEnd - span;
    check(room >= 0, 'model', () => `ONNX node '${call.node}' (${call.opType}): window ${span} is larger than the padded input ${sizes[i] + g.padBegin + g.padEnd}`);
    let out = (ceil ? Math.ceil(room / g.stride) : Math.floor(room / g.stride)) + 1;
    if (ceil && (out - 1) * g.stride >= sizes[i] + g.padBegin) out -= 1;
    const ceilExtra = Math.max(0, (out - 1) * g.stride + span - (sizes[i] + g.padBegin + g.padEnd));
    return { ...g, out, ceilExtra };
  });
}

function spatialOf(call: OnnxOpCall, xt: tf.Tensor): { x4: tf.Tensor4D; restore: (y: tf.Tensor) => tf.Tensor } {
  const spatial = xt.rank - 2;
  if (spatial === 2) return { x4: xt as tf.Tensor4D, restore: (y) => y };
  if (spatial === 1) return { x4: tf.expandDims(xt, 1) as tf.Tensor4D, restore: (y) => tf.squeeze(y, [1]) };
  throw new LumenError('model', `ONNX node '${call.node}' (${call.opType}): ${spatial}-D pooling is not supported (Lumen imports 1-D and 2-D pools)`);
}

function maxPool(call: OnnxOpCall): (OnnxValue | null)[] {
  if (call.outputCount > 1) throw call.attrs.unsupported('MaxPool with an Indices output is not supported');
  const v = input(call);
  if (v.tensor.dtype !== 'float32') {
    const y = maxPool({ ...call, inputs: [{ tensor: tf.cast(v.tensor, 'float32'), channelsLast: v.channelsLast }] })[0] as OnnxValue;
    return [{ tensor: tf.cast(y.tensor, v.tensor.dtype), channelsLast: y.channelsLast }];
  }
  const xt = onnxToChannelsLast(v);
  const { x4, restore } = spatialOf(call, xt);
  const sizes = xt.shape.slice(1, -1);
  const plan = poolPlan(call, sizes);
  const p2 = plan.length === 1 ? [{ kernel: 1, stride: 1, dilation: 1, padBegin: 0, padEnd: 0, ceilExtra: 0, out: 1 }, plan[0]] : plan;
  let padded: tf.Tensor4D = x4;
  if (p2.some((g) => g.padBegin + g.padEnd + g.ceilExtra > 0)) {
    padded = tf.pad(x4, [[0, 0], [p2[0].padBegin, p2[0].padEnd + p2[0].ceilExtra], [p2[1].padBegin, p2[1].padEnd + p2[1].ceilExtra], [0, 0]], -3.4028234663852886e38);
  }
  const window: [number, number] = [p2[0].kernel, p2[1].kernel];
  const strides: [number, number] = [p2[0].stride, p2[1].stride];
  let y: tf.Tensor;
  if (p2.every((g) => g.dilation === 1)) {
    y = tf.maxPool(padded, window, strides, 'valid');
  } else {
    check(p2.every((g) => g.stride === 1 || g.dilation === 1), 'model', () => `ONNX node '${call.node}' (MaxPool): strides and dilations both > 1 are not supported`);
    y = tf.pool(padded, window, 'max', 'valid', [p2[0].dilation, p2[1].dilation], strides);
  }
  return [onnxChannelsLast(restore(y))];
}

function averagePool(call: OnnxOpCall): (OnnxValue | null)[] {
  const xt = onnxToChannelsLast(input(call));
  const { x4, restore } = spatialOf(call, xt);
  const sizes = xt.shape.slice(1, -1);
  const plan = poolPlan(call, sizes);
  if (plan.some((g) => g.dilation !== 1)) throw call.attrs.unsupported('AveragePool with dilations is not supported');
  const p2 = plan.length === 1 ? [{ kernel: 1, stride: 1, dilation: 1, padBegin: 0, padEnd: 0, ceilExtra: 0, out: 1 }, plan[0]] : plan;
  const window: [number, number] = [p2[0].kernel, p2[1].kernel];
  const strides: [number, number] = [p2[0].stride, p2[1].stride];
  if (p2.every((g) => g.padBegin + g.padEnd + g.ceilExtra === 0)) return [onnxChannelsLast(restore(tf.avgPool(x4, window, strides, 'valid')))];
  // Sum over the window divided by how many elements count: the real ones, or (count_include_pad)
  // those inside the explicitly padded input; never the positions ceil_mode adds.
  const includePad = call.attrs.int('count_include_pad', 0) === 1;
  const padSpec: Array<[number, number]> = [[0, 0], [p2[0].padBegin, p2[0].padEnd + p2[0].ceilExtra], [p2[1].padBegin, p2[1].padEnd + p2[1].ceilExtra], [0, 0]];
  const area = window[0] * window[1];
  const sum = tf.mul(tf.avgPool(tf.pad(x4, padSpec), window, strides, 'valid'), area);
  const count = tf.tidy(() => {
    const [h, w] = [x4.shape[1], x4.shape[2]];
    const ones = includePad ? tf.ones([1, h + p2[0].padBegin + p2[0].padEnd, w + p2[1].padBegin + p2[1].padEnd, 1]) : tf.ones([1, h, w, 1]);
    const maskPad: Array<[number, number]> = includePad
      ? [[0, 0], [0, p2[0].ceilExtra], [0, p2[1].ceilExtra], [0, 0]]
      : [[0, 0], padSpec[1], padSpec[2], [0, 0]];
    return tf.mul(tf.avgPool(tf.pad(ones, maskPad) as tf.Tensor4D, window, strides, 'valid'), area);
  });
  return [onnxChannelsLast(restore(tf.div(sum, count)))];
}

function globalPool(kind: 'mean' | 'max'): OnnxOpHandler {
  return (call) => {
    const xt = onnxToChannelsLast(input(call));
    const axes = Array.from({ length: xt.rank - 2 }, (_, i) => i + 1);
    return [onnxChannelsLast(kind === 'mean' ? tf.mean(xt, axes, true) : tf.max(xt, axes, true))];
  };
}

/** The pooling ONNX ops, by op type. */
export const ONNX_POOL_OPS: Readonly<Record<string, OnnxOpHandler>> = {
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalPool('mean'),
  GlobalMaxPool: globalPool('max'),
};
