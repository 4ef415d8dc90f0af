import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../../core/errors.js';
import type { Model, OutputKind, RunOptions, RunResult } from '../../core/model.js';
import { chooseOutputKind, outputKindOfActivation } from '../output-kind.js';
import { executeGraph, GRAPH_INPUT } from '../graph.js';
import { checkParameterValues, graphParameters } from '../graph-parameters.js';
import type { Graph } from '../graph-types.js';
import { readModelBytes } from '../read-model-bytes.js';
import { decodeOnnxModel, onnxTypeName, tfjsTypeOf, type OnnxModelRecord } from './decode.js';
import { importOnnxProgram, type OnnxProgram } from './program.js';
import { fromChannelsLastPerm, toChannelsLastPerm } from './values.js';
import { registerOrtSource, withEngine, type Engine } from '../../engine/ort/with-engine.js';
import { planRules } from '../rule-engine.js';
import { onnxToOrt } from '../../engine/ort/onnx-to-ort.js';

/** Options of `loadOnnx`. */
export interface LoadOnnxOptions {
  /**
   * Layout of the Model's input. 'nchw' (default): as the ONNX file declares it (PyTorch's
   * [N, C, H, W]). 'nhwc': channels-last like tfjs models ([N, H, W, C]; any rank ≥ 3 input is
   * taken channels-last) — then no transpose is needed before the first convolution.
   */
  readonly inputLayout?: 'nchw' | 'nhwc';
  /** Shape of one example in ONNX layout, for inputs whose non-batch dimensions are symbolic. */
  readonly inputShape?: readonly number[];
  /** The graph output the Model returns (default: the first). */
  readonly output?: string;
  /** What the outputs are; default: detected ('probabilities' when the output comes from Softmax or Sigmoid). */
  readonly outputKind?: OutputKind;
  /** The Model's name (default: the file name or the graph's name). */
  readonly name?: string;
  /** Which executor runs its passes (default 'tfjs'; see `Engine`). */
  readonly engine?: Engine;
}

/** A Model imported from ONNX: the Lumen Model plus the imported program and a `dispose`. */
export interface OnnxModel extends Model {
  readonly inputLayout: 'nchw' | 'nhwc';
  readonly program: OnnxProgram;
  /** The decoded file (the onnxruntime engine re-encodes its graph). */
  readonly record: OnnxModelRecord;
  /** Frees the model's weights. */
  dispose(): void;
}

/**
 * Loads an ONNX model (its bytes, or a path in Node / a URL in browsers) as a differentiable Lumen
 * Model: the protobuf is decoded and validated, the graph imported into Lumen's graph IR and run
 * with tfjs ops, so every gradient and propagation method works on it. `layers` are the graph's nodes, named as in the file
 * (a node's extra outputs are `name:1`, …; folded constant nodes are not layers). Captured and
 * replaced values of convolution stacks are channels-last (NHWC), like a tfjs model's; everything
 * else is in ONNX layout. Unsupported ops, corrupt files and hostile sizes are LumenErrors.
 */
export async function loadOnnx(source: string | Uint8Array, options: LoadOnnxOptions = {}): Promise<OnnxModel> {
  if (typeof source !== 'string') return loadOnnxBytes(source, options);
  const bytes = await readModelBytes(source, 'loadOnnx');
  const base = source.split(/[\\/]/).pop() ?? source;
  return loadOnnxBytes(bytes, { ...options, name: options.name ?? base.replace(/\.onnx$/i, '') }, source);
}

/** `loadOnnx` for bytes already in memory (synchronous). */
export function loadOnnxBytes(bytes: Uint8Array, options: LoadOnnxOptions = {}, source = 'ONNX model'): OnnxModel {
  const what = `loadOnnx: ${source}`;
  const record = decodeOnnxModel(bytes, what);
  return onnxModelFromRecord(record, options, what);
}

function modelInput(record: OnnxModelRecord, options: LoadOnnxOptions, what: string): { name: string; shape: number[]; dtype: 'float32' | 'int32' | 'bool'; batch: number } {
  const inputs = record.inputs.filter((i) => !record.initializers.has(i.name));
  check(inputs.length === 1, 'model', () =>
    `${what}: Lumen explains models with one input; the graph has ${inputs.length} (${inputs.map((i) => i.name).join(', ')})`);
  const info = inputs[0];
  const dtype = tfjsTypeOf(info.elemType || 1);
  check(dtype !== null, 'model', () => `${what}: input '${info.name}' has type ${onnxTypeName(info.elemType)}, which tfjs cannot hold`);
  const declared = info.shape;
  check(declared !== null && declared.length >= 1, 'model', () => `${what}: input '${info.name}' declares no shape; Lumen needs [batch, ...]`);
  let shape: number[];
  if (options.inputShape) {
    shape = options.inputShape.slice();
    check(shape.length === declared.length - 1 && shape.every((d, i) => Number.isInteger(d) && d > 0 && (declared[i + 1] === null || declared[i + 1] === d)), 'model', () =>
      `${what}: inputShape [${shape}] does not fit the declared input [${declared.map((d) => d ?? '?')}]`);
  } else {
    check(declared.slice(1).every((d) => d !== null && d > 0), 'model', () =>
      `${what}: input '${info.name}' has symbolic dimensions [${declared.map((d) => d ?? '?')}]; pass inputShape (one example, ONNX layout)`);
    shape = declared.slice(1) as number[];
  }
  let size = 1;
  for (const d of shape) size *= d;
  check(size <= 2 ** 26, 'model', () => `${what}: one example of shape [${shape}] is larger than Lumen's limit of 2^26 values`);
  const batch = declared[0] !== null && (declared[0] as number) > 0 ? (declared[0] as number) : 1;
  check(batch * size <= 2 ** 26, 'model', () => `${what}: a batch of ${batch} examples of shape [${shape}] is too large to trace`);
  return { name: info.name, shape, dtype, batch };
}

/** Builds the Lumen Model of a decoded ONNX model (see `loadOnnx`). */
export function onnxModelFromRecord(record: OnnxModelRecord, options: LoadOnnxOptions, what: string): OnnxModel {
  const layout = options.inputLayout ?? 'nchw';
  check(layout === 'nchw' || layout === 'nhwc', 'option', () => `${what}: inputLayout must be 'nchw' or 'nhwc'; found '${String(layout)}'`);
  const input = modelInput(record, options, what);
  const channelsLastInput = layout === 'nhwc' && input.shape.length >= 2;
  const onnxShape = [input.batch, ...input.shape];
  const publicShape = channelsLastInput ? toChannelsLastPerm(onnxShape.length).map((p) => onnxShape[p]) : onnxShape;
  const outputName = options.output ?? record.outputs[0].name;
  check(record.outputs.some((o) => o.name === outputName), 'option', () => `${what}: no graph output '${outputName}'; outputs are ${record.outputs.map((o) => o.name).join(', ')}`);
  const sample = tf.zeros(publicShape, input.dtype);
  let program: OnnxProgram;
  try {
    program = importOnnxProgram(record, new Map([[input.name, { id: GRAPH_INPUT, tensor: sample, channelsLast: channelsLastInput }]]), what);
  } finally {
    sample.dispose();
  }
  const source = program.outputs.get(outputName);
  if (!source || 'constant' in source) {
    program.dispose();
    throw new LumenError('model', `${what}: output '${outputName}' does not depend on the input`);
  }
  const graph: Graph = { nodes: program.nodes, output: source.id };
  const tracedOut = program.tracedShapes.get(source.id) ?? [];
  const outputShape = (source.channelsLast ? fromChannelsLastPerm(tracedOut.length).map((p) => tracedOut[p]) : tracedOut.slice()).slice(1);
  const inputShape = publicShape.slice(1);
  // The initializers are constants: parameters set by setParameters are kept here and used by every run.
  const loaded = new Map<string, tf.Tensor>();
  const parameterList = (): ReturnType<typeof graphParameters> => graphParameters(graph, (name, own) => loaded.get(name) ?? own);
  const declared = parameterList();
  const run = (x: tf.Tensor, runOptions?: RunOptions): RunResult => {
    check(x.rank === inputShape.length + 1 && inputShape.every((d, i) => x.shape[i + 1] === d), 'shape', () =>
      `${options.name ?? 'onnx'}: expected input [N, ${inputShape.join(', ')}] (${layout.toUpperCase()}); found [${x.shape.join(', ')}]`);
    if (runOptions?.params) checkParameterValues(declared, runOptions.params, what);
    const params = loaded.size ? { ...Object.fromEntries(loaded), ...(runOptions?.params ?? {}) } : runOptions?.params;
    const result = executeGraph(graph, x, params ? { ...runOptions, params } : runOptions);
    if (!source.channelsLast) return result;
    return { ...result, output: tf.transpose(result.output, fromChannelsLastPerm(result.output.rank)) };
  };
  const model: OnnxModel = {
    name: options.name ?? (record.graphName || 'onnx'),
    inputShape,
    outputShape,
    outputKind: chooseOutputKind(options.outputKind, onnxOutputKind(record, outputName), 'loadOnnx'),
    outputs: record.outputs.map((o) => o.name),
    differentiable: true,
    layers: program.nodes.map(({ name, kind, outputShape: s }) => ({ name, kind, outputShape: s })),
    inputLayout: layout,
    program,
    record,
    run,
    get parameters() {
      return parameterList();
    },
    setParameters: (values) => {
      checkParameterValues(declared, values, what);
      for (const [name, t] of Object.entries(values)) {
        loaded.get(name)?.dispose();
        loaded.set(name, tf.keep(t.clone()));
      }
    },
    predict: async (x) => tf.tidy(() => run(x).output),
    dispose: () => {
      tf.dispose([...loaded.values()]);
      loaded.clear();
      program.dispose();
    },
  };
  registerOrtSource(model, () => ({
    name: model.name,
    forward: onnxToOrt(record, input.name, inputShape, channelsLastInput, outputName),
    layerValue: () => null,
    // Each imported node is one GraphNode of one part: the rule engine's plan maps onto the file's nodes.
    parts: new Map(record.nodes.flatMap((n) => {
      const id = program.valueIds.get(n.outputs[0]);
      return id === undefined ? [] : [[n.outputs[0], { layer: id, part: 'whole' as const }]];
    })),
    planRules: (rules) => new Map([...planRules(program.nodes, rules).values()].flat().map((p) => [`${p.node.name}\u0000${p.node.part}`, p.rule])),
  }));
  return withEngine(model, options.engine);
}

/**
 * 'probabilities' when the graph output is produced by Softmax or Sigmoid (through Identity nodes);
 * LogSoftmax counts as logits (softmax of log-probabilities is the probabilities).
 */
function onnxOutputKind(record: OnnxModelRecord, output: string): OutputKind {
  const producer = new Map(record.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  let node = producer.get(output);
  for (let hops = 0; node && node.opType === 'Identity' && hops < 100; hops++) node = producer.get(node.inputs[0]);
  return outputKindOfActivation(node?.opType);
}
