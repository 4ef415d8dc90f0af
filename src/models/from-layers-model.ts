import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model, RunOptions, RunResult } from '../core/model.js';
import { executeGraph, GRAPH_INPUT, type Graph, type GraphNode } from './graph.js';

/** Options of `fromLayersModel`. */
export interface FromLayersModelOptions {
  readonly name?: string;
}

/**
 * Wraps a tf.LayersModel (Sequential or functional, one input and one output) as a differentiable
 * Lumen Model whose layers, by name, can be captured and replaced.
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

function layersGraph(model: tf.LayersModel): Graph {
  const inputLayers = new Set((model.inputLayers ?? []).map((l) => l.name));
  const nodes: GraphNode[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    check(layer.inboundNodes.length === 1, 'model', () =>
      `fromLayersModel: layer '${layer.name}' is used ${layer.inboundNodes.length} times; shared layers are not supported yet`);
    const inputs = layer.inboundNodes[0].inboundLayers.map((l) => (inputLayers.has(l.name) || l.getClassName() === 'InputLayer' ? GRAPH_INPUT : l.name));
    const shape = layer.outputShape;
    check(!Array.isArray(shape[0]), 'model', () => `fromLayersModel: layer '${layer.name}' has several outputs; not supported`);
    nodes.push({
      name: layer.name,
      kind: layer.getClassName(),
      inputs,
      outputShape: (shape as (number | null)[]).slice(1),
      apply: (xs) => layer.apply(xs.length === 1 ? xs[0] : xs) as tf.Tensor,
    });
  }
  return { nodes, output: model.outputs[0].sourceLayer.name };
}
