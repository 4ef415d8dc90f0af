/**
 * The token-model reference fixtures (wave-2 families `text` and `attention`, see
 * test/fixtures/wave2/TEXT.md): a text CNN (Embedding → Conv1d 'same' → ReLU → max over time →
 * Linear) built as a tf.layers model, and a pre-LayerNorm transformer encoder built as a Lumen
 * graph whose nodes carry the PyTorch module names (`tok_emb`, `blocks.0.attn` …). Both take token
 * ids as a float tensor [N, L] (an Embedding reads them as integers).
 */
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { fromGraph } from './from-graph.js';
import { fromLayersModel } from './from-layers-model.js';
import { GRAPH_INPUT } from './graph.js';
import type { GraphNode } from './graph-types.js';

/** The model of a token fixture, its ids [N, L] and the tfjs model when it is a layers model. */
export interface TokenFixtureModel {
  readonly model: Model;
  readonly layersModel?: tf.LayersModel;
  readonly inputs: tf.Tensor;
}

/** The parts of a fixture JSON a token model is built from (src/models/fixture.ts reads the file). */
export interface TokenFixtureJson {
  readonly name: string;
  readonly family?: unknown;
  readonly architecture: { readonly layers?: readonly unknown[] };
  readonly weights_tfjs: Readonly<Record<string, unknown>>;
  readonly inputs?: unknown;
}

/** Whether a fixture holds a token model (families `text` and `attention`). */
export function isTokenFixture(json: TokenFixtureJson): boolean {
  return json.family === 'text' || json.family === 'attention';
}

/**
 * Builds a token fixture's model from its TF.js-layout weights, with its ids as the inputs;
 * `tensorOf` decodes one of the fixture's tensors (`fixtureTensor` of fixture.ts).
 */
export function loadTokenFixture(json: TokenFixtureJson, tensorOf: (value: unknown) => tf.Tensor): TokenFixtureModel {
  const ids = (json.inputs as { readonly ids?: unknown } | undefined)?.ids;
  check(ids !== undefined, 'file', () => `loadFixture: token fixture '${json.name}' has no inputs.ids`);
  const inputs = tensorOf(ids);
  check(inputs.rank === 2, 'file', () => `loadFixture: token fixture '${json.name}': inputs.ids must be [N, L]; found [${inputs.shape}]`);
  const weight = (key: string): tf.Tensor => {
    const v = json.weights_tfjs[key];
    if (v === undefined) throw new LumenError('file', `loadFixture: weight '${key}' is missing from fixture '${json.name}'`);
    return tensorOf(v);
  };
  if (json.family === 'text') {
    const layersModel = textCnn(json, inputs.shape[1] as number, weight);
    return { model: fromLayersModel(layersModel, { name: json.name }), layersModel, inputs };
  }
  return { model: tinyTransformer(json, inputs.shape[1] as number, weight), inputs };
}

interface TextLayer {
  readonly name: string;
  readonly type: string;
  readonly [key: string]: unknown;
}

function textCnn(json: TokenFixtureJson, length: number, weight: (key: string) => tf.Tensor): tf.LayersModel {
  const model = tf.sequential({ name: json.name });
  for (const layer of (json.architecture.layers ?? []) as readonly TextLayer[]) {
    const { name, type } = layer;
    let built: tf.layers.Layer | null;
    let weights: tf.Tensor[] = [];
    if (type === 'Embedding') {
      built = tf.layers.embedding({ inputDim: layer.num_embeddings as number, outputDim: layer.embedding_dim as number, inputLength: length, inputShape: [length], name });
      weights = [weight(`${name}.embeddings`)];
    } else if (type === 'Conv1d') {
      check(layer.stride === 1 && layer.padding === Math.floor((layer.kernel_size as number) / 2), 'file', () => `loadFixture: Conv1d '${name}' must have stride 1 and padding k//2 ('same')`);
      built = tf.layers.conv1d({ filters: layer.out_channels as number, kernelSize: layer.kernel_size as number, padding: 'same', useBias: layer.bias === true, name });
      weights = layer.bias === true ? [weight(`${name}.kernel`), weight(`${name}.bias`)] : [weight(`${name}.kernel`)];
    } else if (type === 'ReLU') {
      built = tf.layers.reLU({ name });
    } else if (type.startsWith('max over time')) {
      built = tf.layers.globalMaxPooling1d({ name });
    } else if (type === 'Linear') {
      built = tf.layers.dense({ units: layer.out_features as number, useBias: layer.bias === true, name });
      weights = layer.bias === true ? [weight(`${name}.kernel`), weight(`${name}.bias`)] : [weight(`${name}.kernel`)];
    } else if (type.startsWith('transpose')) {
      built = null; // PyTorch's NLE → NCL transpose: TF.js conv1d reads NLE directly.
    } else {
      throw new LumenError('file', `loadFixture: layer '${name}' has type '${type}', which the token-fixture loader does not build`);
    }
    if (!built) continue;
    model.add(built);
    if (weights.length) built.setWeights(weights);
    tf.dispose(weights);
  }
  return model;
}

interface TransformerArchitecture {
  readonly blocks: number;
  readonly d: number;
  readonly heads: number;
  readonly head_dim: number;
  readonly mlp_hidden: number;
  readonly classes: number;
  readonly pool: string;
}

/** y = x·W + b over the last axis (W [in, out] in TF.js layout). */
function dense(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const [n, t, d] = x.shape;
  return tf.add(tf.matMul(x.reshape([n * t, d]), w as tf.Tensor2D), b).reshape([n, t, w.shape[1] as number]);
}

/** PyTorch's LayerNorm over the last axis: biased variance, eps inside the square root. */
function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.div(centred, tf.sqrt(tf.add(variance, eps))), gamma), beta);
}

/** GELU in its exact form 0.5·x·(1 + erf(x/√2)) (torch nn.GELU(), ONNX Erf). */
function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

function tinyTransformer(json: TokenFixtureJson, length: number, weight: (key: string) => tf.Tensor): Model {
  const arch = json.architecture as unknown as TransformerArchitecture;
  check(arch.pool === 'first' && arch.d === arch.heads * arch.head_dim, 'file', () => `loadFixture: transformer '${json.name}' must pool the first token and have d = heads · head_dim`);
  const owned: tf.Tensor[] = [];
  const w = (key: string): tf.Tensor => {
    const t = weight(key);
    owned.push(t);
    return t;
  };
  const { d, heads, head_dim: dh } = arch;
  const nodes: GraphNode[] = [];
  const node = (name: string, kind: string, inputs: readonly string[], outputShape: readonly number[], apply: (x: tf.Tensor[]) => tf.Tensor): string => {
    nodes.push({ name, kind, inputs, outputShape, apply });
    return name;
  };
  const tokens = w('tok_emb.embeddings');
  const pos = w('pos');
  check(pos.shape[0] === length, 'file', () => `loadFixture: transformer '${json.name}' has ${pos.shape[0]} positions; its inputs have ${length} tokens`);
  let x = node('tok_emb', 'Embedding', [GRAPH_INPUT], [length, d], ([ids]) => tf.gather(tokens, tf.cast(ids, 'int32')));
  x = node('pos_add', 'Add', [x], [length, d], ([e]) => tf.add(e, pos));
  const eps = 1e-5;
  const norm = (name: string, input: string): string => {
    const gamma = w(`${name}.gamma`);
    const beta = w(`${name}.beta`);
    return node(name, 'LayerNormalization', [input], [length, d], ([v]) => layerNorm(v, gamma, beta, eps));
  };
  const linear = (name: string, input: string, units: number): string => {
    const kernel = w(`${name}.kernel`);
    const bias = w(`${name}.bias`);
    return node(name, 'Dense', [input], [length, units], ([v]) => dense(v, kernel, bias));
  };
  // [N, T, d] → [N, heads, T, dh]: head j holds features j·dh … (j+1)·dh − 1.
  const split = (v: tf.Tensor): tf.Tensor => tf.transpose(v.reshape([v.shape[0], length, heads, dh]), [0, 2, 1, 3]);
  for (let b = 0; b < arch.blocks; b++) {
    const p = `blocks.${b}`;
    const h = norm(`${p}.ln1`, x);
    const q = linear(`${p}.q`, h, d);
    const k = linear(`${p}.k`, h, d);
    const v = linear(`${p}.v`, h, d);
    const attn = node(`${p}.attn`, 'Softmax', [q, k], [heads, length, length], ([qv, kv]) =>
      tf.softmax(tf.div(tf.matMul(split(qv), split(kv), false, true), Math.sqrt(dh))));
    const ctx = node(`${p}.ctx`, 'MatMul', [attn, v], [length, d], ([a, vv]) =>
      tf.transpose(tf.matMul(a, split(vv)), [0, 2, 1, 3]).reshape([a.shape[0], length, d]));
    const o = linear(`${p}.o`, ctx, d);
    const res1 = node(`${p}.res1`, 'Add', [x, o], [length, d], ([a, c]) => tf.add(a, c));
    const h2 = norm(`${p}.ln2`, res1);
    const fc1 = linear(`${p}.fc1`, h2, arch.mlp_hidden);
    const act = node(`${p}.gelu`, 'GELU', [fc1], [length, arch.mlp_hidden], ([v1]) => gelu(v1));
    const fc2 = linear(`${p}.fc2`, act, d);
    x = node(`${p}.res2`, 'Add', [res1, fc2], [length, d], ([a, c]) => tf.add(a, c));
  }
  const final = norm('ln_f', x);
  const pooled = node('pool', 'Gather', [final], [d], ([v]) => tf.squeeze(tf.slice(v, [0, 0, 0], [-1, 1, -1]), [1]));
  const headKernel = w('head.kernel');
  const headBias = w('head.bias');
  node('head', 'Dense', [pooled], [arch.classes], ([v]) => tf.add(tf.matMul(v as tf.Tensor2D, headKernel as tf.Tensor2D), headBias));
  return fromGraph({ nodes, output: 'head' }, { name: json.name, inputShape: [length], outputShape: [arch.classes], dispose: () => tf.dispose(owned) });
}
