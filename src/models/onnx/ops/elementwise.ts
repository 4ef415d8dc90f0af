/**
 * ONNX elementwise ops: activations, arithmetic with numpy broadcasting, comparisons, Where, Clip,
 * Cast. All keep a channels-last input channels-last (operands of lower rank are aligned to it), so
 * a Conv → BatchNorm → Relu → Add chain never leaves that layout.
 */
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../../core/errors.js';
import { onnxTypeName, tfjsTypeOf } from '../decode.js';
import { onnxChannelsLast, onnxFloats, onnxPlain, toChannelsLastPerm, onnxLogical, type OnnxOpCall, type OnnxOpHandler, type OnnxValue } from '../values.js';

/**
 * Brings values to one layout for a broadcasting op: channels-last when one of them is and none has
 * a higher rank (lower-rank operands are reshaped to that rank, then transposed), else ONNX layout.
 * Transposed constants are cached per node.
 */
export function onnxAlignOperands(call: OnnxOpCall, values: readonly OnnxValue[]): { tensors: tf.Tensor[]; channelsLast: boolean } {
  const cl = values.find((v) => v.channelsLast);
  const rank = cl?.tensor.rank ?? 0;
  if (!cl || values.some((v) => v.tensor.rank > rank)) return { tensors: values.map(onnxLogical), channelsLast: false };
  const tensors = values.map((v, i) => {
    if (v.channelsLast || v.tensor.size === 1) return v.tensor;
    const key = `align${i}`;
    const isConst = call.constant[call.inputs.indexOf(v)] === true;
    const cached = isConst ? call.cache.get(key) : undefined;
    if (cached) return cached;
    const padded = v.tensor.rank < rank ? tf.reshape(v.tensor, [...Array(rank - v.tensor.rank).fill(1), ...v.tensor.shape]) : v.tensor;
    const t = tf.transpose(padded, toChannelsLastPerm(rank));
    if (isConst) call.cache.set(key, tf.keep(t));
    return t;
  });
  return { tensors, channelsLast: true };
}

function present(call: OnnxOpCall, i: number): OnnxValue {
  const v = call.inputs[i];
  if (!v) throw new LumenError('model', `ONNX node '${call.node}' (${call.opType}): input ${i} is required`);
  return v;
}

/** An op of one input applied elementwise, in whatever layout the input has. */
function unary(fn: (x: tf.Tensor, call: OnnxOpCall) => tf.Tensor): OnnxOpHandler {
  return (call) => {
    const x = present(call, 0);
    return [{ tensor: fn(x.tensor, call), channelsLast: x.channelsLast }];
  };
}

/** A broadcasting op of several inputs (layouts aligned first). */
function broadcasting(fn: (xs: tf.Tensor[], call: OnnxOpCall) => tf.Tensor): OnnxOpHandler {
  return (call) => {
    const { tensors, channelsLast } = onnxAlignOperands(call, call.inputs.map((_, i) => present(call, i)));
    return [{ tensor: fn(tensors, call), channelsLast }];
  };
}

/** Makes both operands float32 when one is (ONNX requires equal types; tfjs is strict about it). */
function sameType(a: tf.Tensor, b: tf.Tensor): [tf.Tensor, tf.Tensor] {
  if (a.dtype === b.dtype) return [a, b];
  return [tf.cast(a, 'float32'), tf.cast(b, 'float32')];
}

function broadcastAll(xs: tf.Tensor[]): tf.Tensor[] {
  let shape: number[] = [];
  for (const x of xs) shape = tf.broadcast_util.assertAndGetBroadcastShape(shape, x.shape);
  return xs.map((x) => (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i]) ? x : tf.broadcastTo(x, shape)));
}

/** exp(min(x, 0)) − 1: the negative branch of ELU-like functions, safe from overflow in the gradient. */
function expm1Negative(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.exp(tf.minimum(x, 0)), 1);
}

function clip(call: OnnxOpCall): (OnnxValue | null)[] {
  const x = present(call, 0);
  let lo = -Infinity;
  let hi = Infinity;
  if (call.opset < 11) {
    lo = call.attrs.float('min', -3.4028234663852886e38);
    hi = call.attrs.float('max', 3.4028234663852886e38);
  } else {
    if (call.inputs[1]) lo = onnxFloats(call.inputs[1], `Clip '${call.node}' min`)[0];
    if (call.inputs[2]) hi = onnxFloats(call.inputs[2], `Clip '${call.node}' max`)[0];
  }
  if (x.tensor.dtype === 'int32') {
    let t = x.tensor;
    if (lo > -2147483648) t = tf.maximum(t, tf.scalar(Math.ceil(lo), 'int32'));
    if (hi < 2147483647) t = tf.minimum(t, tf.scalar(Math.floor(hi), 'int32'));
    return [{ tensor: t, channelsLast: x.channelsLast }];
  }
  const t = lo <= hi ? tf.clipByValue(x.tensor, lo, hi) : tf.minimum(tf.maximum(x.tensor, lo), hi);
  return [{ tensor: t, channelsLast: x.channelsLast }];
}

function cast(call: OnnxOpCall): (OnnxValue | null)[] {
  const x = present(call, 0);
  const to = call.attrs.int('to', 1);
  const dtype = tfjsTypeOf(to);
  if (!dtype) throw call.attrs.unsupported(`Cast to ${onnxTypeName(to)} has no tfjs equivalent`);
  let t: tf.Tensor;
  if (dtype === 'int32' && x.tensor.dtype === 'float32') t = tf.cast(tf.sign(x.tensor).mul(tf.floor(tf.abs(x.tensor))), 'int32');
  else t = x.tensor.dtype === dtype ? x.tensor : tf.cast(x.tensor, dtype);
  return [{ tensor: t, channelsLast: x.channelsLast }];
}

const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

/** The elementwise ONNX ops, by op type. */
export const ONNX_ELEMENTWISE_OPS: Readonly<Record<string, OnnxOpHandler>> = {
  Relu: unary((x) => tf.relu(x)),
  LeakyRelu: unary((x, c) => tf.leakyRelu(x, c.attrs.float('alpha', 0.01))),
  Elu: unary((x, c) => {
    const alpha = c.attrs.float('alpha', 1);
    return alpha === 1 ? tf.elu(x) : tf.add(tf.relu(x), tf.mul(alpha, expm1Negative(x)));
  }),
  Selu: unary((x, c) => tf.mul(c.attrs.float('gamma', SELU_GAMMA), tf.add(tf.relu(x), tf.mul(c.attrs.float('alpha', SELU_ALPHA), expm1Negative(x))))),
  Sigmoid: unary((x) => tf.sigmoid(x)),
  HardSigmoid: unary((x, c) => tf.clipByValue(tf.add(tf.mul(x, c.attrs.float('alpha', 0.2)), c.attrs.float('beta', 0.5)), 0, 1)),
  HardSwish: unary((x) => tf.mul(x, tf.clipByValue(tf.add(tf.mul(x, 1 / 6), 0.5), 0, 1))),
  Tanh: unary((x) => tf.tanh(x)),
  Sqrt: unary((x) => tf.sqrt(x)),
  Exp: unary((x) => tf.exp(x)),
  Log: unary((x) => tf.log(x)),
  Neg: unary((x) => tf.neg(x)),
  Abs: unary((x) => tf.abs(x)),
  Erf: unary((x) => tf.erf(x)),
  Gelu: unary((x, c) => {
    const mode = c.attrs.string('approximate', 'none');
    if (mode === 'tanh') {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
    }
    if (mode !== 'none') throw c.attrs.unsupported(`Gelu approximate='${mode}' is not one of 'none', 'tanh'`);
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  }),
  Not: unary((x) => tf.logicalNot(tf.cast(x, 'bool'))),
  Identity: (call) => [present(call, 0)],
  Clip: clip,
  Cast: cast,
  Add: broadcasting(([a, b]) => tf.add(...sameType(a, b))),
  Sub: broadcasting(([a, b]) => tf.sub(...sameType(a, b))),
  Mul: broadcasting(([a, b]) => tf.mul(...sameType(a, b))),
  Div: broadcasting(([a, b]) => (a.dtype === 'int32' && b.dtype === 'int32' ? tf.floorDiv(a, b) : tf.div(...sameType(a, b)))),
  Pow: broadcasting(([a, b]) => {
    const out = tf.pow(tf.cast(a, 'float32'), tf.cast(b, 'float32'));
    return a.dtype === 'int32' ? tf.cast(tf.round(out), 'int32') : out;
  }),
  PRelu: broadcasting(([x, slope]) => tf.add(tf.relu(x), tf.mul(slope, tf.minimum(x, 0)))),
  Equal: broadcasting(([a, b]) => tf.equal(...sameType(a, b))),
  Greater: broadcasting(([a, b]) => tf.greater(...sameType(a, b))),
  Less: broadcasting(([a, b]) => tf.less(...sameType(a, b))),
  GreaterOrEqual: broadcasting(([a, b]) => tf.greaterEqual(...sameType(a, b))),
  LessOrEqual: broadcasting(([a, b]) => tf.lessEqual(...sameType(a, b))),
  Where: broadcasting(([cond, a, b]) => {
    const [c, x, y] = broadcastAll([tf.cast(cond, 'bool'), ...sameType(a, b)]);
    return tf.where(c, x, y);
  }),
};

/** Ops whose plain value passes through unchanged (Dropout at inference: output, and an all-true mask). */
export function onnxDropout(call: OnnxOpCall): (OnnxValue | null)[] {
  const x = present(call, 0);
  if (call.inputs[2] && onnxFloats(call.inputs[2], `Dropout '${call.node}' training_mode`)[0]) {
    throw call.attrs.unsupported('Dropout in training mode is random; Lumen imports models for inference');
  }
  const outs: (OnnxValue | null)[] = [x];
  if (call.outputCount > 1) outs.push(x.channelsLast ? onnxChannelsLast(tf.onesLike(x.tensor).cast('bool')) : onnxPlain(tf.onesLike(x.tensor).cast('bool')));
  return outs;
}
