/**
 * ONNX normalisations and linear algebra: BatchNormalization (inference), InstanceNormalization,
 * LayerNormalization, Softmax, LogSoftmax, Gemm, MatMul (numpy broadcasting) and the reductions
 * ReduceMean / ReduceSum / ReduceMax.
 */
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../../../core/errors.js';
import {
  onnxAxis, onnxChannelsLast, onnxInts, onnxLogical, onnxPhysicalAxis, onnxPlain, onnxToChannelsLast,
  type OnnxOpCall, type OnnxOpHandler, type OnnxValue,
} from '../values.js';

function required(call: OnnxOpCall, i: number): OnnxValue {
  const v = call.inputs[i];
  if (!v) throw new LumenError('model', `ONNX node '${call.node}' (${call.opType}): input ${i} is required`);
  return v;
}

function batchNormalization(call: OnnxOpCall): (OnnxValue | null)[] {
  if (call.opset < 9 && call.attrs.int('spatial', 1) !== 1) throw call.attrs.unsupported('BatchNormalization with spatial=0 is not supported');
  if (call.attrs.int('training_mode', 0) === 1) throw call.attrs.unsupported('BatchNormalization in training mode is not supported (Lumen imports models for inference)');
  const x = required(call, 0);
  const eps = call.attrs.float('epsilon', 1e-5);
  const allConst = [1, 2, 3, 4].every((i) => call.constant[i]);
  const factors = (): [tf.Tensor, tf.Tensor] => {
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => tf.cast(onnxLogical(required(call, i)), 'float32'));
    const a = tf.div(scale, tf.sqrt(tf.add(variance, eps)));
    return [a, tf.sub(bias, tf.mul(mean, a))];
  };
  let a: tf.Tensor;
  let b: tf.Tensor;
  const hit = allConst ? call.cache.get('a') : undefined;
  if (hit) {
    a = hit;
    b = call.cache.get('b') as tf.Tensor;
  } else {
    [a, b] = factors();
    if (allConst) {
      call.cache.set('a', tf.keep(a));
      call.cache.set('b', tf.keep(b));
    }
  }
  if (x.tensor.rank >= 3) return [onnxChannelsLast(tf.add(tf.mul(onnxToChannelsLast(x), a), b))];
  check(x.tensor.rank === 2, 'model', () => `ONNX node '${call.node}' (BatchNormalization): expected an input of rank ≥ 2`);
  return [onnxPlain(tf.add(tf.mul(x.tensor, a), b))];
}

function instanceNormalization(call: OnnxOpCall): (OnnxValue | null)[] {
  const xt = onnxToChannelsLast(required(call, 0));
  const eps = call.attrs.float('epsilon', 1e-5);
  const axes = Array.from({ length: xt.rank - 2 }, (_, i) => i + 1);
  const { mean, variance } = tf.moments(xt, axes, true);
  const normed = tf.mul(tf.sub(xt, mean), tf.rsqrt(tf.add(variance, eps)));
  return [onnxChannelsLast(tf.add(tf.mul(normed, onnxLogical(required(call, 1))), onnxLogical(required(call, 2))))];
}

function layerNormalization(call: OnnxOpCall): (OnnxValue | null)[] {
  const x = onnxLogical(required(call, 0));
  const axis = onnxAxis(call.attrs.int('axis', -1), x.rank, `LayerNormalization '${call.node}'`);
  const eps = call.attrs.float('epsilon', 1e-5);
  const axes = Array.from({ length: x.rank - axis }, (_, i) => axis + i);
  const xf = tf.cast(x, 'float32');
  const { mean, variance } = tf.moments(xf, axes, true);
  const inv = tf.rsqrt(tf.add(variance, eps));
  let y = tf.mul(tf.mul(tf.sub(xf, mean), inv), onnxLogical(required(call, 1)));
  if (call.inputs[2]) y = tf.add(y, onnxLogical(call.inputs[2]));
  return [onnxPlain(y), onnxPlain(mean), onnxPlain(inv)].slice(0, call.outputCount);
}

/** Softmax or log-softmax along one physical axis, shifted by the max for stability. */
function softmaxAlong(x: tf.Tensor, axis: number, log: boolean): tf.Tensor {
  if (axis === x.rank - 1) return log ? tf.logSoftmax(x) : tf.softmax(x);
  const shifted = tf.sub(x, tf.max(x, axis, true));
  if (log) return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), axis, true)));
  const e = tf.exp(shifted);
  return tf.div(e, tf.sum(e, axis, true));
}

function softmax(log: boolean): OnnxOpHandler {
  return (call) => {
    const v = required(call, 0);
    if (call.opset >= 13) {
      const axis = onnxAxis(call.attrs.int('axis', -1), v.tensor.rank, `${call.opType} '${call.node}'`);
      return [{ tensor: softmaxAlong(v.tensor, onnxPhysicalAxis(v, axis), log), channelsLast: v.channelsLast }];
    }
    // Opsets < 13: the input is coerced to 2-D at `axis` and normalised over the second part.
    const x = onnxLogical(v);
    const axis = onnxAxis(call.attrs.int('axis', 1), x.rank, `${call.opType} '${call.node}'`);
    const rows = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const y = softmaxAlong(tf.reshape(x, [rows, x.size / Math.max(rows, 1)]), 1, log);
    return [onnxPlain(tf.reshape(y, x.shape))];
  };
}

function gemm(call: OnnxOpCall): (OnnxValue | null)[] {
  const a = onnxLogical(required(call, 0));
  const b = onnxLogical(required(call, 1));
  check(a.rank === 2 && b.rank === 2, 'model', () => `ONNX node '${call.node}' (Gemm): expected 2-D A and B; found [${a.shape}] and [${b.shape}]`);
  const alpha = call.attrs.float('alpha', 1);
  const beta = call.attrs.float('beta', 1);
  let y = tf.matMul(a, b, call.attrs.int('transA', 0) === 1, call.attrs.int('transB', 0) === 1);
  if (alpha !== 1) y = tf.mul(y, alpha);
  const c = call.inputs[2];
  if (c && beta !== 0) y = tf.add(y, beta === 1 ? onnxLogical(c) : tf.mul(onnxLogical(c), beta));
  return [onnxPlain(y)];
}

function matMul(call: OnnxOpCall): (OnnxValue | null)[] {
  let a = onnxLogical(required(call, 0));
  let b = onnxLogical(required(call, 1));
  const vecA = a.rank === 1;
  const vecB = b.rank === 1;
  if (vecA) a = tf.expandDims(a, 0);
  if (vecB) b = tf.expandDims(b, 1);
  const batch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const full = (t: tf.Tensor): tf.Tensor => {
    const shape = [...batch, ...t.shape.slice(-2)];
    return t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : tf.broadcastTo(t, shape);
  };
  let y = tf.matMul(full(a), full(b));
  if (vecA) y = tf.squeeze(y, [y.rank - 2]);
  if (vecB) y = tf.squeeze(y, [y.rank - 1]);
  return [onnxPlain(y)];
}

function reduce(kind: 'mean' | 'sum' | 'max', axesInputFrom: number): OnnxOpHandler {
  return (call) => {
    const v = required(call, 0);
    const rank = v.tensor.rank;
    const keep = call.attrs.int('keepdims', 1) === 1;
    let axes = call.opset >= axesInputFrom ? (call.inputs[1] ? onnxInts(call.inputs[1], `${call.opType} '${call.node}' axes`) : undefined) : call.attrs.ints('axes');
    if (!axes || axes.length === 0) {
      if (call.attrs.int('noop_with_empty_axes', 0) === 1) return [v];
      axes = Array.from({ length: rank }, (_, i) => i);
    }
    const logicalAxes = axes.map((a) => onnxAxis(a, rank, `${call.opType} '${call.node}'`));
    const op = (t: tf.Tensor, ax: number[]): tf.Tensor => (kind === 'mean' ? tf.mean(t, ax, keep) : kind === 'sum' ? tf.sum(t, ax, keep) : tf.max(t, ax, keep));
    if (keep && v.channelsLast) return [onnxChannelsLast(op(v.tensor, logicalAxes.map((a) => onnxPhysicalAxis(v, a))))];
    const x = onnxLogical(v);
    if (x.size === 0) throw new LumenError('model', `ONNX node '${call.node}' (${call.opType}): reducing an empty tensor is not supported`);
    return [onnxPlain(op(x, logicalAxes))];
  };
}

/** The normalisation, linear-algebra and reduction ONNX ops, by op type. */
export const ONNX_NORM_OPS: Readonly<Record<string, OnnxOpHandler>> = {
  BatchNormalization: batchNormalization,
  InstanceNormalization: instanceNormalization,
  LayerNormalization: layerNormalization,
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
  Gemm: gemm,
  MatMul: matMul,
  ReduceMean: reduce('mean', 18),
  ReduceSum: reduce('sum', 13),
  ReduceMax: reduce('max', 18),
};
