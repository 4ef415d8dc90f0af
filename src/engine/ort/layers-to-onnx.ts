import type * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../core/errors.js';
import { OrtEmitter } from './emitter.js';
import type { OrtGraph } from './ort-graph.js';

/** One call of a tfjs layer in a model's graph: its IR name, its inputs' IR names, the layer. */
export interface LayerCall {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly layer: tf.layers.Layer;
}

/** Which part of which layer (as the rule engine splits layers, models/layer-parts.ts) a node computes. */
export interface PartTag {
  readonly layer: string;
  readonly part: 'linear' | 'activation' | 'whole';
}

/** A Layers model's graph with the part each node belongs to, by the node's first output (layer-output aliases have none). */
export type TaggedGraph = OrtGraph & { readonly parts: ReadonlyMap<string, PartTag> };

/** The opset of graphs built from tfjs models. */
export const LAYERS_OPSET = 17;

type Config = Record<string, unknown>;

/**
 * A tfjs Layers model's forward pass as an ONNX graph, in tfjs' layout (NHWC values; each conv
 * or pool is wrapped in the two transposes onnxruntime's optimiser cancels between neighbours).
 * Every layer's output keeps its IR name, so layers can be fed and read by name. A layer Lumen
 * does not translate is a LumenError naming it.
 */
export function layersToOnnx(calls: readonly LayerCall[], input: string, inputShape: readonly number[], output: string): TaggedGraph {
  const out = new OrtEmitter(LAYERS_OPSET, 'layers/');
  const parts = new Map<string, PartTag>();
  for (const call of calls) {
    const start = out.nodes.length;
    const split = translate(out, call);
    // the last node is the Identity that names the layer's output
    for (let k = start; k < out.nodes.length - 1; k++) {
      const part = split === undefined ? 'whole' : k < split ? 'linear' : 'activation';
      parts.set(out.nodes[k].outputs[0], { layer: call.name, part });
    }
  }
  return {
    parts,
    opset: LAYERS_OPSET,
    nodes: out.nodes,
    initializers: out.initializers,
    inputs: [{ name: input, type: 1, dims: ['N', ...inputShape] }],
    outputs: [{ name: output, type: 1 }],
  };
}

/** Emits one layer; returns the index of its first activation node when it has a fused (non-linear) activation. */
function translate(out: OrtEmitter, { name, inputs, layer }: LayerCall): number | undefined {
  const kind = layer.getClassName();
  const config = layer.getConfig() as Config;
  const weights = layer.getWeights().map((w) => ({ values: w.dataSync() as Float32Array, shape: w.shape }));
  const x = inputs[0];
  const finish = (value: string): undefined => {
    out.nodes.push({ op: 'Identity', inputs: [value], outputs: [name] });
    return undefined;
  };
  const fail = (why: string): never => {
    throw new LumenError('model', `onnxruntime engine: layer '${name}' (${kind}) ${why}`);
  };
  const fused = (v: string): number | undefined => {
    const act = String(config.activation ?? 'linear');
    const at = out.nodes.length;
    finish(activation(out, v, act, fail));
    return act === 'linear' ? undefined : at;
  };
  switch (kind) {
    case 'Dense': {
      let v = out.emit('MatMul', [x, out.floats(weights[0].values, weights[0].shape)]);
      if (config.useBias) v = out.emit('Add', [v, out.floats(weights[1].values, weights[1].shape)]);
      return fused(v);
    }
    case 'Conv2D':
    case 'DepthwiseConv2D': {
      if (config.dataFormat === 'channelsFirst') fail('is channels-first');
      const [kh, kw, ci, co] = weights[0].shape;
      const k = weights[0].values;
      const depthwise = kind === 'DepthwiseConv2D';
      // tfjs [kh, kw, in, out] (depthwise: [kh, kw, C, multiplier]) → ONNX [out, in/groups, kh, kw].
      const outChannels = depthwise ? ci * co : co;
      const perGroup = depthwise ? 1 : ci;
      const w = new Float32Array(k.length);
      for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) {
        const src = ((i * kw + j) * ci + c) * co + o;
        const oc = depthwise ? c * co + o : o;
        const ic = depthwise ? 0 : c;
        w[((oc * perGroup + ic) * kh + i) * kw + j] = k[src];
      }
      const strides = pair(config.strides);
      const dilations = pair(config.dilationRate);
      const conv = out.emit('Conv', [nchw(out, x), out.floats(w, [outChannels, perGroup, kh, kw]), ...(config.useBias ? [out.floats(weights[1].values, [outChannels])] : [])], {
        kernel_shape: { ints: [kh, kw] },
        strides: { ints: strides },
        dilations: { ints: dilations },
        group: { i: depthwise ? ci : 1 },
        pads: { ints: pads(layer, String(config.padding), [kh, kw], strides, dilations, fail) },
      });
      return fused(nhwc(out, conv));
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      if (config.dataFormat === 'channelsFirst') fail('is channels-first');
      const size = pair(config.poolSize);
      const strides = pair(config.strides ?? config.poolSize);
      const p = pads(layer, String(config.padding), size, strides, [1, 1], fail);
      const attrs = { kernel_shape: { ints: size }, strides: { ints: strides }, pads: { ints: p } };
      const pooled = out.emit(kind === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [nchw(out, x)], attrs);
      return finish(nhwc(out, pooled));
    }
    case 'GlobalAveragePooling2D':
      return finish(out.emit('ReduceMean', [x], { axes: { ints: [1, 2] }, keepdims: { i: 0 } }));
    case 'Flatten':
      return finish(out.emit('Flatten', [x], { axis: { i: 1 } }));
    case 'Activation':
      return finish(activation(out, x, String(config.activation), fail));
    case 'ReLU': {
      const r = out.emit('Relu', [x]);
      return finish(config.maxValue == null ? r : out.emit('Clip', [r, out.scalar(0), out.scalar(Number(config.maxValue))]));
    }
    case 'LeakyReLU':
      return finish(out.emit('LeakyRelu', [x], { alpha: { f: Number(config.alpha ?? 0.3) } }));
    case 'ELU':
      return finish(out.emit('Elu', [x], { alpha: { f: Number(config.alpha ?? 1) } }));
    case 'Softmax': {
      if (config.axis !== undefined && config.axis !== -1) fail('is not over the last axis');
      return finish(out.emit('Softmax', [x], { axis: { i: -1 } }));
    }
    case 'Dropout':
    case 'SpatialDropout1D':
    case 'SpatialDropout2D':
    case 'GaussianNoise':
    case 'GaussianDropout':
    case 'AlphaDropout':
      return finish(x);
    case 'BatchNormalization': {
      const rank = inputRank(layer);
      const axis = Number(config.axis ?? -1);
      if (axis !== -1 && axis !== rank - 1) fail('normalises another axis than the last');
      const list = [...weights];
      const gamma = config.scale !== false ? list.shift()?.values : undefined;
      const beta = config.center !== false ? list.shift()?.values : undefined;
      const [mean, variance] = [list[0].values, list[1].values];
      const eps = Number(config.epsilon ?? 1e-3);
      const c = mean.length;
      const scale = new Float32Array(c);
      const shift = new Float32Array(c);
      for (let i = 0; i < c; i++) {
        scale[i] = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
        shift[i] = (beta ? beta[i] : 0) - mean[i] * scale[i];
      }
      return finish(out.emit('Add', [out.emit('Mul', [x, out.floats(scale, [c])]), out.floats(shift, [c])]));
    }
    case 'ZeroPadding2D': {
      const p = config.padding as number[][];
      return finish(out.emit('Pad', [x, out.int64s([0, p[0][0], p[1][0], 0, 0, p[0][1], p[1][1], 0])], { mode: { s: 'constant' } }));
    }
    case 'Reshape':
      return finish(out.emit('Reshape', [x, out.int64s([0, ...(config.targetShape as number[])])]));
    case 'Permute':
      return finish(out.emit('Transpose', [x], { perm: { ints: [0, ...(config.dims as number[])] } }));
    case 'Add':
      return finish(inputs.slice(1).reduce((a, b) => out.emit('Add', [a, b]), x));
    case 'Multiply':
      return finish(inputs.slice(1).reduce((a, b) => out.emit('Mul', [a, b]), x));
    case 'Concatenate':
      return finish(out.emit('Concat', [...inputs], { axis: { i: Number(config.axis ?? -1) } }));
    default:
      return fail('has no ONNX translation');
  }
}

function pair(v: unknown): number[] {
  if (Array.isArray(v)) return v.length === 1 ? [Number(v[0]), Number(v[0])] : v.map(Number);
  return [Number(v ?? 1), Number(v ?? 1)];
}

/** The shape of a layer's (first) input, batch axis included. */
function inputShapeOf(layer: tf.layers.Layer): (number | null)[] {
  const shapes = (layer.inboundNodes[0] as unknown as { inputShapes: (number | null)[] | (number | null)[][] }).inputShapes;
  return (Array.isArray(shapes[0]) ? shapes[0] : shapes) as (number | null)[];
}

function inputRank(layer: tf.layers.Layer): number {
  return inputShapeOf(layer).length;
}

/** TF's padding of a 2-D window op as ONNX pads [top, left, bottom, right]. */
function pads(layer: tf.layers.Layer, padding: string, kernel: readonly number[], strides: readonly number[], dilations: readonly number[], fail: (why: string) => never): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') fail(`has padding '${padding}'`);
  const shape = inputShapeOf(layer);
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < 2; i++) {
    const size = shape[1 + i];
    if (size === null || size === undefined) fail('has an unknown spatial size');
    const outSize = Math.ceil((size as number) / strides[i]);
    const total = Math.max((outSize - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - (size as number), 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return [...begin, ...end];
}

function nchw(out: OrtEmitter, x: string): string {
  return out.emit('Transpose', [x], { perm: { ints: [0, 3, 1, 2] } });
}

function nhwc(out: OrtEmitter, x: string): string {
  return out.emit('Transpose', [x], { perm: { ints: [0, 2, 3, 1] } });
}

function activation(out: OrtEmitter, x: string, name: string, fail: (why: string) => never): string {
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return out.emit('Relu', [x]);
    case 'relu6':
      return out.emit('Clip', [out.emit('Relu', [x]), out.scalar(0), out.scalar(6)]);
    case 'sigmoid':
      return out.emit('Sigmoid', [x]);
    case 'tanh':
      return out.emit('Tanh', [x]);
    case 'softmax':
      return out.emit('Softmax', [x], { axis: { i: -1 } });
    case 'elu':
      return out.emit('Elu', [x], { alpha: { f: 1 } });
    case 'softplus':
      return out.emit('Softplus', [x]);
    default:
      return fail(`has activation '${name}', which has no ONNX translation`);
  }
}
