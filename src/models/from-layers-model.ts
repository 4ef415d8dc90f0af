import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model, OutputKind, RunOptions, RunResult } from '../core/model.js';
import { executeGraph, GRAPH_INPUT } from './graph.js';
import { checkParameterValues, graphParameters } from './graph-parameters.js';
import type { Graph, GraphNode } from './graph-types.js';
import { layerParts, parameterlessPart } from './layer-parts.js';
import { planRules } from './rule-engine.js';
import { chooseOutputKind, outputKindOfActivation } from './output-kind.js';
import { registerOrtSource, withEngine, type Engine } from '../engine/ort/with-engine.js';
import { layersToOnnx } from '../engine/ort/layers-to-onnx.js';

/** Options of `fromLayersModel`. */
export interface FromLayersModelOptions {
  readonly name?: string;
  /** What the outputs are; default: detected ('probabilities' after a final softmax/sigmoid). */
  readonly outputKind?: OutputKind;
  /** Which output of a multi-output model the Model returns, by its `outputs` name (required when there are several). */
  readonly output?: string;
  /** Whether the Model's `dispose()` also disposes the tf.LayersModel (default false: the caller owns it). */
  readonly owned?: boolean;
  /** Which executor runs its passes (default 'tfjs'; see `Engine`). */
  readonly engine?: Engine;
}

/**
 * Wraps a tf.LayersModel (Sequential or functional, one input) as a differentiable Lumen Model
 * whose layers, by name, can be captured and replaced. A layer called several times (a shared
 * activation, say) is one node per call: `name` for the first, `name:1`, `name:2` … after. A model
 * with several outputs lists them in `outputs` (named like its layers) and returns the one `output`
 * names. `outputKind` is 'probabilities' when the chosen output's layer ends in softmax or sigmoid
 * (a Dense/conv activation, an Activation or a Softmax layer).
 */
export function fromLayersModel(model: tf.LayersModel, options: FromLayersModelOptions = {}): Model {
  check(model.inputs.length === 1, 'model', () => `fromLayersModel: Lumen explains models with one input; found ${model.inputs.length} inputs`);
  const outputs = model.outputs.map((o) => callName(o.sourceLayer, o.nodeIndex));
  const chosen = chooseOutput(outputs, options.output, 'fromLayersModel');
  const graph = layersGraph(model, outputs[chosen]);
  const out = model.outputs[chosen];
  const inputShape = model.inputs[0].shape.slice(1).map((d) => d ?? -1);
  const outputShape = out.shape.slice(1).map((d) => d ?? -1);
  const run = (x: tf.Tensor, runOptions?: RunOptions): RunResult => {
    if (runOptions?.params) checkParameterValues(parameters, runOptions.params, 'fromLayersModel');
    return executeGraph(graph, x, runOptions);
  };
  // The kernels and biases are the layers' own tf.Variables: setParameters assigns into them.
  const parameters = graphParameters(graph);
  const wrapped: Model = {
    name: options.name ?? model.name,
    inputShape,
    outputShape,
    outputKind: chooseOutputKind(options.outputKind, layerOutputKind(out.sourceLayer), 'fromLayersModel'),
    outputs,
    differentiable: true,
    layers: graph.nodes.map(({ name, kind, outputShape: s }) => ({ name, kind, outputShape: s })),
    run,
    parameters,
    setParameters: (values) => {
      checkParameterValues(parameters, values, 'fromLayersModel');
      for (const p of parameters) if (values[p.name]) (p.value as tf.Variable).assign(values[p.name]);
    },
    predict: async (x) => tf.tidy(() => run(x).output),
    dispose: () => {
      if (options.owned) model.dispose();
    },
  };
  const names = new Set(graph.nodes.map((n) => n.name));
  registerOrtSource(wrapped, () => {
    const forward = layersToOnnx(graph.nodes.map((n) => ({ name: n.name, inputs: n.inputs, layer: model.getLayer(n.name.replace(/:\d+$/, '')) })), GRAPH_INPUT, inputShape, graph.output);
    return {
      name: wrapped.name,
      forward,
      layerValue: (layer) => (names.has(layer) ? layer : null),
      parts: forward.parts,
      planRules: (rules) => new Map([...planRules(graph.nodes, rules).values()].flat().map((p) => [`${p.node.name}\u0000${p.node.part}`, p.rule])),
    };
  });
  return withEngine(wrapped, options.engine);
}

/**
 * The index of the output an adapter returns: the one named `output`, or the only one; a
 * LumenError listing the outputs when several exist and none (or an unknown one) is named.
 */
export function chooseOutput(outputs: readonly string[], output: string | undefined, what: string): number {
  if (output === undefined) {
    check(outputs.length === 1, 'model', () => `${what}: the model has ${outputs.length} outputs (${outputs.join(', ')}); choose one with the output option (--output-node NAME)`);
    return 0;
  }
  const index = outputs.indexOf(output);
  check(index >= 0, 'option', () => `${what}: no output '${output}'; the model's outputs are ${outputs.join(', ')}`);
  return index;
}

/** 'probabilities' when a layer ends in softmax or sigmoid (its activation, or the layer is one). */
function layerOutputKind(layer: tf.layers.Layer): OutputKind {
  const kind = layer.getClassName();
  if (kind === 'Softmax') return 'probabilities';
  return outputKindOfActivation(String((layer.getConfig() as { activation?: unknown }).activation ?? ''));
}

/** The IR name of call `index` of a layer: its name for the first call, `name:index` after. */
function callName(layer: tf.layers.Layer, index: number): string {
  return index === 0 ? layer.name : `${layer.name}:${index}`;
}

function irNode(layer: tf.layers.Layer, name: string, inputs: string[], outputShape: unknown): GraphNode {
  const listed = outputShape as unknown[];
  const shape = Array.isArray(listed[0]) && listed.length === 1 ? listed[0] : listed;
  check(!Array.isArray((shape as unknown[])[0]), 'model', () => `fromLayersModel: layer '${layer.name}' has several outputs; not supported`);
  const parameterless = parameterlessPart(layer);
  return {
    name,
    kind: layer.getClassName(),
    inputs,
    outputShape: (shape as (number | null)[]).slice(1),
    apply: (xs) => layer.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor,
    parts: parameterless ? [parameterless] : layerParts(layer),
  };
}

/** Internal structure of a functional model's graph (tfjs `Container`, not in its public types). */
interface CallNode {
  readonly outboundLayer: tf.layers.Layer;
  readonly inboundLayers: readonly tf.layers.Layer[];
  readonly nodeIndices: readonly number[];
}

function layersGraph(model: tf.LayersModel, output: string): Graph {
  const byDepth = (model as unknown as { nodesByDepth?: Record<string, CallNode[]> }).nodesByDepth ?? {};
  const depths = Object.keys(byDepth).map(Number).sort((a, b) => b - a);
  if (depths.length === 0) return sequentialGraph(model);
  const isInput = (l: tf.layers.Layer): boolean => l.getClassName() === 'InputLayer';
  const nodes: GraphNode[] = [];
  for (const depth of depths) {
    for (const call of byDepth[depth]) {
      const layer = call.outboundLayer;
      if (isInput(layer)) continue;
      const index = layer.inboundNodes.indexOf(call as unknown as (typeof layer.inboundNodes)[number]);
      const inputs = call.inboundLayers.map((l, i) => (isInput(l) ? GRAPH_INPUT : callName(l, call.nodeIndices[i])));
      const shapes = (layer as unknown as { inboundNodes: { outputShapes: unknown }[] }).inboundNodes[index].outputShapes;
      nodes.push(irNode(layer, callName(layer, index), inputs, index === 0 ? layer.outputShape : shapes));
    }
  }
  return { nodes, output };
}

function sequentialGraph(model: tf.LayersModel): Graph {
  const inputLayers = new Set((model.inputLayers ?? []).map((l) => l.name));
  const nodes: GraphNode[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    check(layer.inboundNodes.length === 1, 'model', () =>
      `fromLayersModel: layer '${layer.name}' is called ${layer.inboundNodes.length} times in a Sequential model; use a functional model`);
    const inputs = layer.inboundNodes[0].inboundLayers.map((l) => (inputLayers.has(l.name) || l.getClassName() === 'InputLayer' ? GRAPH_INPUT : l.name));
    nodes.push(irNode(layer, layer.name, inputs, layer.outputShape));
  }
  return { nodes, output: model.outputs[0].sourceLayer.name };
}
