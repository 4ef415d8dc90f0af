/**
 * An imported ONNX node as the parts gradient rules see (src/core/rules.ts), by op type: linear ops
 * with constant weights (Conv, ConvTranspose, Gemm, MatMul) expose their initializers as a
 * `LinearOp` that re-runs the op's handler; BatchNormalization is a per-channel scale and shift;
 * activations, pools, merges, reshapes, pads and identities are one part of their family. Every part
 * computes exactly what the node computes, in the layout the importer holds the node's value.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../../core/errors.js';
import type { ActivationName, LinearOp, OpFamily, OpInfo } from '../../core/rules.js';
import type { GraphPart } from '../layer-parts.js';
import {
  fromChannelsLastPerm, onnxChannelsLast, onnxFloats, onnxPhysicalAxis, onnxPlain, onnxToChannelsLast, toChannelsLastPerm,
  type OnnxOpCall, type OnnxOpHandler, type OnnxValue,
} from './values.js';

/** What `onnxNodeParts` needs to know about one imported node (its first output). */
export interface OnnxPartsSource {
  /** The node's call as traced: constant inputs hold their values, runtime inputs are replaced by `slots`. */
  readonly call: OnnxOpCall;
  readonly handler: OnnxOpHandler;
  /** For each ONNX input: its index among the node's runtime inputs, or −1 (constant or omitted). */
  readonly slots: readonly number[];
  /** Layout of each runtime input (true: channels-last). */
  readonly inputLayouts: readonly boolean[];
  /** Layout the importer holds the node's output in. */
  readonly layout: boolean;
  /** The node's own forward function (`GraphNode.apply`). */
  readonly apply: (inputs: tf.Tensor[]) => tf.Tensor;
}

/** Op types whose only runtime input goes through unchanged in value (a permutation, a pad, an identity), by family. */
const SHAPE_FAMILIES: Readonly<Record<string, OpFamily>> = {
  Flatten: 'reshape',
  Reshape: 'reshape',
  Transpose: 'reshape',
  Squeeze: 'reshape',
  Unsqueeze: 'reshape',
  Dropout: 'identity',
  Identity: 'identity',
  MaxPool: 'max-pool',
  AveragePool: 'avg-pool',
  GlobalAveragePool: 'global-avg-pool',
  GlobalMaxPool: 'global-max-pool',
};

const LINEAR_OPS: ReadonlySet<string> = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

/** ONNX's default Selu constants (float32), which `tf.selu` also uses. */
const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;
/** The float32 maximum: Clip's default bounds before opset 11. */
const FLOAT_MAX = 3.4028234663852886e38;

/** The tensor of an op's output in the layout `layout`. */
function inLayout(v: OnnxValue, layout: boolean): tf.Tensor {
  if (v.channelsLast === layout) return v.tensor;
  return tf.transpose(v.tensor, layout ? toChannelsLastPerm(v.tensor.rank) : fromChannelsLastPerm(v.tensor.rank));
}

function sameShape(a: tf.Tensor, b: tf.Tensor): boolean {
  return a.rank === b.rank && a.shape.every((d, i) => d === b.shape[i]);
}

/** Whether input 0 is the node's one runtime input and every other input is a constant or omitted. */
function oneRuntimeInput(src: OnnxPartsSource): boolean {
  return src.slots[0] === 0 && src.slots.every((s, i) => i === 0 || s === -1);
}

/**
 * Whether every input is present and runtime, each a different value held in the output's layout
 * (so a rule sees inputs laid out as the output); with `sameShapes`, also of one shape (no broadcast).
 */
function mergedInputs(src: OnnxPartsSource, sameShapes: boolean): boolean {
  const first = src.call.inputs[0];
  return src.slots.length >= 2 && src.slots.every((s, i) => s === i) && src.inputLayouts.every((l) => l === src.layout) &&
    (!sameShapes || src.call.inputs.every((v) => v !== null && first !== null && sameShape(v.tensor, first.tensor)));
}

/** The activation an elementwise op computes, with its parameters; null if the op is not one. */
function activationOf(call: OnnxOpCall, input: OnnxValue): { activation: ActivationName; params: Record<string, number> } | null {
  const a = call.attrs;
  const rank = input.tensor.rank;
  switch (call.opType) {
    case 'Relu':
      return { activation: 'relu', params: {} };
    case 'LeakyRelu':
      return { activation: 'leaky-relu', params: { alpha: a.float('alpha', 0.01) } };
    case 'Elu':
      return { activation: 'elu', params: { alpha: a.float('alpha', 1) } };
    case 'Selu': {
      const standard = Math.fround(a.float('alpha', SELU_ALPHA)) === Math.fround(SELU_ALPHA) && Math.fround(a.float('gamma', SELU_GAMMA)) === Math.fround(SELU_GAMMA);
      return { activation: standard ? 'selu' : 'other', params: {} };
    }
    case 'Sigmoid':
      return { activation: 'sigmoid', params: {} };
    case 'Tanh':
      return { activation: 'tanh', params: {} };
    case 'HardSigmoid':
    case 'HardSwish':
    case 'Gelu':
      return { activation: 'other', params: {} };
    case 'Softmax': {
      // Opset 13 normalises along one axis (kept in the input's layout); earlier opsets over every
      // axis from `axis` on, in ONNX layout. `params.axis` is the axis of the value as held.
      const raw = a.int('axis', call.opset >= 13 ? -1 : 1);
      const axis = raw < 0 ? raw + rank : raw;
      if (call.opset >= 13) return { activation: 'softmax', params: { axis: onnxPhysicalAxis(input, axis) } };
      return axis === rank - 1 ? { activation: 'softmax', params: { axis } } : { activation: 'other', params: {} };
    }
    case 'Clip':
      return clipActivation(call);
    default:
      return null;
  }
}

/** Clip(0, ∞) is a ReLU, Clip(0, 6) a ReLU6, Clip(0, m) a clipped ReLU; other bounds an 'other' activation. */
function clipActivation(call: OnnxOpCall): { activation: ActivationName; params: Record<string, number> } {
  let lo = -Infinity;
  let hi = Infinity;
  if (call.opset < 11) {
    lo = call.attrs.float('min', -FLOAT_MAX);
    hi = call.attrs.float('max', FLOAT_MAX);
  } else {
    if (call.inputs[1]) lo = onnxFloats(call.inputs[1], `Clip '${call.node}' min`)[0];
    if (call.inputs[2]) hi = onnxFloats(call.inputs[2], `Clip '${call.node}' max`)[0];
  }
  if (lo !== 0) return { activation: 'other', params: {} };
  if (hi >= FLOAT_MAX) return { activation: 'relu', params: {} };
  if (hi === 6) return { activation: 'relu6', params: { max: 6 } };
  return hi > 0 ? { activation: 'clipped-relu', params: { max: hi } } : { activation: 'other', params: {} };
}

/** Whether a Pad node pads with zeros only (mode 'constant', value 0, no cropping). */
function zeroPad(call: OnnxOpCall): boolean {
  if (call.attrs.string('mode', 'constant') !== 'constant') return false;
  const pads = call.opset < 11 ? (call.attrs.ints('pads') ?? []) : call.inputs[1] ? Array.from(call.inputs[1].tensor.dataSync(), Number) : [];
  const value = call.opset < 11 ? call.attrs.float('value', 0) : call.inputs[2] && call.inputs[2].tensor.size > 0 ? onnxFloats(call.inputs[2], `Pad '${call.node}' constant_value`)[0] : 0;
  return value === 0 && pads.every((p) => p >= 0);
}

/**
 * The weights of a Conv, ConvTranspose, Gemm or MatMul whose input 0 is the runtime input and whose
 * weights (and bias) are constants, as a LinearOp in ONNX layout; `apply` re-runs the op's handler
 * with the given weights (a fresh cache: re-laid-out filters of modified weights are never kept).
 * Gemm needs transA = 0 and positive alpha and beta (so rules' modified weights stay the op's own).
 */
function linearOp(src: OnnxPartsSource): LinearOp | null {
  const { call, handler } = src;
  const weights = call.inputs[1];
  const bias = call.opType === 'MatMul' ? null : (call.inputs[2] ?? null);
  if (!oneRuntimeInput(src) || !weights || weights.channelsLast) return null;
  if (call.opType === 'Gemm') {
    const { attrs } = call;
    if (attrs.int('transA', 0) !== 0 || !(attrs.float('alpha', 1) > 0) || (bias && !(attrs.float('beta', 1) > 0))) return null;
  }
  const own = weights.tensor;
  const ownBias = bias?.tensor ?? null;
  const where = `ONNX node '${call.node}' (${call.opType})`;
  const outputAxis = call.opType === 'Conv' ? 0 : call.opType === 'ConvTranspose' ? 1 : call.opType === 'Gemm' && call.attrs.int('transB', 0) !== 0 ? 0 : own.rank - 1;
  return {
    weights: [own],
    bias: ownBias,
    outputAxis,
    apply(x, [w, ...rest], b) {
      check(w !== undefined && rest.length === 0 && sameShape(w, own), 'model', () =>
        `${where}: gradient rule weights must be one tensor of shape [${own.shape}]; found ${w ? `[${w.shape}]` : 'none'}${rest.length ? ` and ${rest.length} more` : ''}`);
      check(!b || !ownBias || sameShape(b, ownBias), 'model', () => `${where}: gradient rule bias must have shape [${ownBias?.shape}]; found [${b?.shape}]`);
      if (w === own && b === ownBias) return src.apply([x]);
      const inputs: (OnnxValue | null)[] = [{ tensor: x, channelsLast: src.inputLayouts[0] }, onnxPlain(w)];
      if (call.opType !== 'MatMul') inputs.push(b ? onnxPlain(b) : null);
      const out = handler({ ...call, inputs, constant: inputs.map(() => false), cache: new Map() })[0] as OnnxValue;
      const y = inLayout(out, src.layout);
      return call.opType === 'MatMul' && b ? tf.add(y, b) : y;
    },
  };
}

/**
 * Inference-mode BatchNormalization as `x · scale + shift` per channel (scale = γ/√(var + ε),
 * shift = β − mean · scale), computed once and kept in the node's cache (freed with the model).
 */
function batchNormOp(src: OnnxPartsSource): LinearOp | null {
  const { call } = src;
  if (!oneRuntimeInput(src) || ![1, 2, 3, 4].every((i) => call.inputs[i] && call.constant[i])) return null;
  const eps = call.attrs.float('epsilon', 1e-5);
  const factors = (): [tf.Tensor, tf.Tensor] => {
    let scale = call.cache.get('rules:scale');
    let shift = call.cache.get('rules:shift');
    if (!scale || !shift) {
      [scale, shift] = tf.tidy(() => {
        const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => tf.cast((call.inputs[i] as OnnxValue).tensor, 'float32'));
        const a = tf.div(gamma, tf.sqrt(tf.add(variance, eps)));
        return [a, tf.sub(beta, tf.mul(mean, a))];
      });
      call.cache.set('rules:scale', tf.keep(scale));
      call.cache.set('rules:shift', tf.keep(shift));
    }
    return [scale, shift];
  };
  return {
    get weights() {
      return [factors()[0]];
    },
    get bias() {
      return factors()[1];
    },
    apply(x, [s], b) {
      const [scale, shift] = factors();
      check(s !== undefined && sameShape(s, scale) && (!b || sameShape(b, shift)), 'model', () =>
        `ONNX node '${call.node}' (BatchNormalization): gradient rule scale and shift must have shape [${scale.shape}]`);
      if (s === scale && b === shift) return src.apply([x]);
      const v: OnnxValue = { tensor: x, channelsLast: src.inputLayouts[0] };
      const affine = (t: tf.Tensor): tf.Tensor => (b ? tf.add(tf.mul(t, s), b) : tf.mul(t, s));
      return inLayout(x.rank >= 3 ? onnxChannelsLast(affine(onnxToChannelsLast(v))) : onnxPlain(affine(x)), src.layout);
    },
  };
}

/** The node's op as rules see it, or null when its computation is not one the rule families describe. */
function opInfo(src: OnnxPartsSource): OpInfo | null {
  const { call } = src;
  const op = call.opType;
  if (LINEAR_OPS.has(op)) {
    const linear = linearOp(src);
    return linear && { family: 'linear', linear };
  }
  if (op === 'BatchNormalization') {
    const linear = batchNormOp(src);
    return linear && { family: 'batchnorm', linear };
  }
  if (op === 'Add' || op === 'Sum') return mergedInputs(src, true) ? { family: 'add' } : null;
  if (op === 'Concat') return mergedInputs(src, false) ? { family: 'concat' } : null;
  if (!oneRuntimeInput(src)) return null;
  if (op === 'Pad') return zeroPad(call) ? { family: 'pad' } : null;
  const family = SHAPE_FAMILIES[op];
  if (family) return { family };
  const act = activationOf(call, call.inputs[0] as OnnxValue);
  return act && { family: 'activation', activation: act.activation, params: act.params };
}

/**
 * The parts of an imported ONNX node for the rule engine: one 'whole' part whose op family, and
 * for linear and batch-norm nodes whose weights, rules see; its `apply` is the node's own. Returns
 * null for ops the rule families do not describe (the rule engine then fails naming the node).
 * Called at import, while `src.call.inputs` still hold the trace's values (their shapes are read
 * then; afterwards the parts read only the node's constant inputs).
 */
export function onnxNodeParts(src: OnnxPartsSource): readonly GraphPart[] | null {
  const op = opInfo(src);
  if (!op) return null;
  // With its own weights a linear or batch-norm part is the node itself.
  if (op.linear) return [{ part: 'whole', op, apply: ([x]) => src.apply([x]) }];
  // An op that hands back its input (Identity, Dropout, a pad of zeros) is cloned: a rule's
  // tf.customGrad cannot take an input as its output.
  return [{ part: 'whole', op, apply: (xs) => {
    const y = src.apply([...xs]);
    return xs.includes(y) ? tf.clone(y) : y;
  } }];
}
