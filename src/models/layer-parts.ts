/**
 * A tfjs layer as the parts gradient rules see (src/core/rules.ts): a linear op and its fused
 * activation become two parts; every other layer one part with its op family. Parts compute with
 * plain tfjs ops on the layer's current weights, so they give the layer's own outputs.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActivationName, LinearOp, OpFamily, OpInfo } from '../core/rules.js';

/** One part of a layer: what it is and how to compute it. */
export interface GraphPart {
  readonly part: 'linear' | 'activation' | 'whole';
  readonly op: OpInfo;
  apply(inputs: readonly tf.Tensor[]): tf.Tensor;
}

type Config = Record<string, unknown>;

const ACTIVATIONS: Readonly<Record<string, ActivationName>> = {
  relu: 'relu',
  relu6: 'relu6',
  elu: 'elu',
  selu: 'selu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  softplus: 'softplus',
  linear: 'linear',
};

const FAMILIES: Readonly<Record<string, OpFamily>> = {
  MaxPooling2D: 'max-pool',
  MaxPooling1D: 'max-pool',
  AveragePooling2D: 'avg-pool',
  AveragePooling1D: 'avg-pool',
  GlobalAveragePooling2D: 'global-avg-pool',
  GlobalAveragePooling1D: 'global-avg-pool',
  GlobalMaxPooling2D: 'global-max-pool',
  GlobalMaxPooling1D: 'global-max-pool',
  Add: 'add',
  Concatenate: 'concat',
  Flatten: 'reshape',
  Reshape: 'reshape',
  ZeroPadding2D: 'pad',
  Dropout: 'identity',
  SpatialDropout1D: 'identity',
  GaussianNoise: 'identity',
  GaussianDropout: 'identity',
  AlphaDropout: 'identity',
};

function weight(layer: tf.layers.Layer, suffix: string): tf.Tensor | null {
  const v = layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`));
  return v ? v.read() : null;
}

function pair(v: unknown, fallback: number): [number, number] {
  if (Array.isArray(v)) return [Number(v[0]), Number(v[1] ?? v[0])];
  return typeof v === 'number' ? [v, v] : [fallback, fallback];
}

/** The element-wise function of an activation, as plain tfjs ops. */
export function activationFunction(name: ActivationName, params: Readonly<Record<string, number>> = {}): (x: tf.Tensor) => tf.Tensor {
  switch (name) {
    case 'relu':
      return (x) => tf.relu(x);
    case 'relu6':
      return (x) => tf.relu6(x);
    case 'clipped-relu':
      return (x) => tf.clipByValue(x, 0, params.max ?? Infinity);
    case 'leaky-relu':
      return (x) => tf.leakyRelu(x, params.alpha ?? 0.3);
    case 'elu':
      return (x) => ((params.alpha ?? 1) === 1 ? tf.elu(x) : tf.where(tf.greater(x, 0), x, tf.mul(params.alpha ?? 1, tf.sub(tf.exp(x), 1))));
    case 'selu':
      return (x) => tf.selu(x);
    case 'sigmoid':
      return (x) => tf.sigmoid(x);
    case 'tanh':
      return (x) => tf.tanh(x);
    case 'softmax':
      return (x) => tf.softmax(x, params.axis ?? -1);
    case 'softplus':
      return (x) => tf.softplus(x);
    case 'linear':
      return (x) => x;
    default:
      throw new Error(`activationFunction: no function for '${name}'`);
  }
}

function activationPart(config: Config): GraphPart | null {
  const name = String(config.activation ?? 'linear');
  if (name === 'linear') return null;
  const activation = ACTIVATIONS[name] ?? 'other';
  const fn = activation === 'other' ? null : activationFunction(activation);
  return {
    part: 'activation',
    op: { family: 'activation', activation },
    apply: ([x]) => {
      if (!fn) throw new Error(`activation '${name}' has no rule-engine function`);
      return fn(x);
    },
  };
}

function withBias(y: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
  return bias ? tf.add(y, bias) : y;
}

/** A 2-D convolution as a LinearOp; its transpose (for rules' backward passes) only when undilated. */
function convolution(
  kernel: tf.Tensor | null,
  bias: tf.Tensor | null,
  dilations: [number, number],
  conv: (x: tf.Tensor4D, k: tf.Tensor4D) => tf.Tensor4D,
  transpose: (v: tf.Tensor4D, k: tf.Tensor4D, shape: [number, number, number, number]) => tf.Tensor,
): LinearOp | null {
  if (!kernel) return null;
  const undilated = dilations[0] === 1 && dilations[1] === 1;
  return {
    weights: [kernel],
    bias,
    apply: (x, [k], b) => withBias(conv(x as tf.Tensor4D, k as tf.Tensor4D), b),
    ...(undilated ? { transpose: (v: tf.Tensor, [k]: readonly tf.Tensor[], shape: readonly number[]) => transpose(v as tf.Tensor4D, k as tf.Tensor4D, shape as [number, number, number, number]) } : {}),
  };
}

function linearOf(layer: tf.layers.Layer, config: Config): LinearOp | null {
  const bias = config.useBias === false ? null : weight(layer, 'bias');
  const strides = pair(config.strides, 1);
  const dilations = pair(config.dilationRate, 1);
  const padding = config.padding === 'same' ? 'same' : 'valid';
  if (config.dataFormat === 'channelsFirst') return null;
  switch (layer.getClassName()) {
    case 'Dense': {
      const kernel = weight(layer, 'kernel');
      if (!kernel) return null;
      return {
        weights: [kernel],
        bias,
        apply: (x, [k], b) => {
          const flat = x.rank === 2 ? x : tf.reshape(x, [-1, x.shape[x.rank - 1]]);
          const y = withBias(tf.matMul(flat, k), b);
          return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), k.shape[1] as number]);
        },
        transpose: (v, [k], shape) => {
          const flat = v.rank === 2 ? v : tf.reshape(v, [-1, v.shape[v.rank - 1]]);
          const u = tf.matMul(flat, k, false, true);
          return v.rank === 2 ? u : tf.reshape(u, [...shape]);
        },
      };
    }
    case 'Conv2D':
      return convolution(weight(layer, 'kernel'), bias, dilations, (x, k) => tf.conv2d(x, k, strides, padding, 'NHWC', dilations), (v, k, shape) =>
        tf.conv2dTranspose(v, k, shape, strides, padding));
    case 'DepthwiseConv2D':
      return convolution(weight(layer, 'depthwise_kernel'), bias, dilations, (x, k) => tf.depthwiseConv2d(x, k, strides, padding, 'NHWC', dilations), (v, k, shape) =>
        depthwiseTranspose(v, k, shape, strides, padding));
    default:
      return null;
  }
}

function batchNormOf(layer: tf.layers.Layer, config: Config): LinearOp | null {
  const mean = weight(layer, 'moving_mean');
  const variance = weight(layer, 'moving_variance');
  const axis = Number(config.axis ?? -1);
  if (!mean || !variance || (axis !== -1 && axis !== (layer.outputShape as number[]).length - 1)) return null;
  const gamma = config.scale === false ? null : weight(layer, 'gamma');
  const beta = config.center === false ? null : weight(layer, 'beta');
  const eps = Number(config.epsilon ?? 1e-3);
  // y = x · scale + shift, with scale = γ / √(var + ε), shift = β − mean · scale, computed at each
  // access (inside the caller's tidy), so a re-weighted model is seen as it is.
  const scale = (): tf.Tensor => tf.div(gamma ?? tf.onesLike(variance), tf.sqrt(tf.add(variance, eps)));
  return {
    get weights() {
      return [scale()];
    },
    get bias() {
      return tf.sub(beta ?? tf.zerosLike(mean), tf.mul(mean, scale()));
    },
    apply: (x, [s], b) => withBias(tf.mul(x, s), b),
    transpose: (v, [s]) => tf.mul(v, s),
  };
}

/** The input gradient of an undilated depthwise convolution: `Jᵀ v` (tfjs' own backprop kernel). */
function depthwiseTranspose(v: tf.Tensor, k: tf.Tensor, shape: readonly number[], strides: [number, number], pad: 'same' | 'valid'): tf.Tensor {
  return tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: v, filter: k }, { strides, pad, dilations: [1, 1], inputShape: [...shape] }) as tf.Tensor;
}

/**
 * The parts of a tfjs layer for the rule engine: [linear, activation] for Dense, Conv2D and
 * DepthwiseConv2D with a fused activation; [depthwise, pointwise, activation] for SeparableConv2D;
 * one part otherwise. Returns null when the layer's computation is not reproduced part by part
 * (the rule engine then reports the layer as having no rule).
 */
export function layerParts(layer: tf.layers.Layer): readonly GraphPart[] | null {
  const config = layer.getConfig() as Config;
  const kind = layer.getClassName();
  if (kind === 'Dense' || kind === 'Conv2D' || kind === 'DepthwiseConv2D') {
    const linear = linearOf(layer, config);
    if (!linear) return null;
    const act = activationPart(config);
    const lin: GraphPart = { part: 'linear', op: { family: 'linear', linear }, apply: ([x]) => linear.apply(x, linear.weights, linear.bias) };
    return act ? [lin, act] : [{ ...lin, part: 'whole' }];
  }
  if (kind === 'SeparableConv2D') return separableParts(layer, config);
  if (kind === 'BatchNormalization') {
    const linear = batchNormOf(layer, config);
    return linear ? [{ part: 'whole', op: { family: 'batchnorm', linear }, apply: ([x]) => linear.apply(x, linear.weights, linear.bias) }] : null;
  }
  if (kind === 'Activation') {
    const act = activationPart(config);
    return [act ? { ...act, part: 'whole' } : { part: 'whole', op: { family: 'identity' }, apply: ([x]) => x }];
  }
  if (kind === 'ReLU') {
    const max = config.maxValue == null ? null : Number(config.maxValue);
    const activation: ActivationName = max === null ? 'relu' : max === 6 ? 'relu6' : 'clipped-relu';
    const params: Record<string, number> = max === null ? {} : { max };
    const fn = activationFunction(activation, params);
    return [{ part: 'whole', op: { family: 'activation', activation, params }, apply: ([x]) => fn(x) }];
  }
  if (kind === 'LeakyReLU' || kind === 'ELU') {
    const activation: ActivationName = kind === 'ELU' ? 'elu' : 'leaky-relu';
    const params = { alpha: Number(config.alpha ?? (kind === 'ELU' ? 1 : 0.3)) };
    const fn = activationFunction(activation, params);
    return [{ part: 'whole', op: { family: 'activation', activation, params }, apply: ([x]) => fn(x) }];
  }
  if (kind === 'Softmax') {
    const params = { axis: Number(config.axis ?? -1) };
    const fn = activationFunction('softmax', params);
    return [{ part: 'whole', op: { family: 'activation', activation: 'softmax', params }, apply: ([x]) => fn(x) }];
  }
  return null;
}

function separableParts(layer: tf.layers.Layer, config: Config): readonly GraphPart[] | null {
  const depthwise = weight(layer, 'depthwise_kernel');
  const pointwise = weight(layer, 'pointwise_kernel');
  if (!depthwise || !pointwise || config.dataFormat === 'channelsFirst') return null;
  const bias = config.useBias === false ? null : weight(layer, 'bias');
  const strides = pair(config.strides, 1);
  const dilations = pair(config.dilationRate, 1);
  const padding = config.padding === 'same' ? 'same' : 'valid';
  const dw: LinearOp = { weights: [depthwise], bias: null, apply: (x, [k]) => tf.depthwiseConv2d(x as tf.Tensor4D, k as tf.Tensor4D, strides, padding, 'NHWC', dilations) };
  const pw: LinearOp = { weights: [pointwise], bias, apply: (x, [k], b) => withBias(tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, 'valid'), b) };
  const parts: GraphPart[] = [
    { part: 'linear', op: { family: 'linear', linear: dw }, apply: ([x]) => dw.apply(x, dw.weights, null) },
    { part: 'linear', op: { family: 'linear', linear: pw }, apply: ([x]) => pw.apply(x, pw.weights, pw.bias) },
  ];
  const act = activationPart(config);
  return act ? [...parts, act] : parts;
}

/** The op family of a layer kind that has no parameters (pooling, merging, reshaping …). */
export function parameterlessPart(layer: tf.layers.Layer): GraphPart | null {
  const family = FAMILIES[layer.getClassName()];
  if (!family) return null;
  return { part: 'whole', op: { family }, apply: (xs) => layer.apply(xs.length === 1 ? xs[0] : [...xs]) as tf.Tensor };
}
