import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model, RunOptions, RunResult } from '../core/model.js';
import { executeGraph, GRAPH_INPUT } from './graph.js';
import type { Graph, GraphNode } from './graph-types.js';
import { layerParts, parameterlessPart } from './layer-parts.js';

/** Options of `fromLayersModel`. */
export interface FromLayersModelOptions {
  readonly name?: string;
}

/**
 * Wraps a tf.LayersModel (Sequential or functional, one input and one output) as a differentiable
 * Lumen Model whose layers, by name, can be captured and replaced. A layer called several times
 * (a shared activation, say) is one node per call: `name` for the first, `name:1`, `name:2` … after.
 */
export function fromLayersModel(model: tf.LayersModel, options: FromLayersModelOptions = {}): Model {
  check(model.inputs.length === 1 && model.outputs.length === 1, 'model', () =>
    `fromLayersModel: Lumen explains models with one input and one output; found ${model.inputs.length} inputs and ${model.outputs.length} outputs`);
  const graph = layersGraph(model);
  const inputShape = model.inputs[0].shape.slice(1).map((d) => d ?? -1);
  const outputShape = model.outputs[0].shape.slice(1).map((d) => d ?? -1);
  const run = (x: tf.Tensor, runOptions?: RunOptions): RunResult => executeGraph(graph, x, runOptions);
  return {
    name: options.name ?? model.name,
    inputShape,
    outputShape,
    differentiable: true,
    layers: graph.nodes.map(({ name, kind, outputShape: s }) => ({ name, kind, outputShape: s })),
    run,
    predict: async (x) => tf.tidy(() => run(x).output),
  };
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

function layersGraph(model: tf.LayersModel): Graph {
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
  const out = model.outputs[0];
  return { nodes, output: callName(out.sourceLayer, out.nodeIndex) };
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
