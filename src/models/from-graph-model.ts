import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import type { LayerInfo, Model, RunOptions, RunResult } from '../core/model.js';

/** Options of `fromGraphModel`. */
export interface FromGraphModelOptions {
  readonly name?: string;
  /** Shape of one example, when the graph model's input signature leaves dimensions unknown. */
  readonly inputShape?: readonly number[];
}

/**
 * Wraps a tfjs graph model (a TF SavedModel or frozen graph converted by tensorflowjs_converter) as
 * a differentiable Lumen Model: `run` calls `GraphModel.execute`, whose ops tfjs records on its
 * tape, so gradient methods work. `layers` are the graph's op nodes and can be captured (outputs
 * requested from `execute`); replacing a node's value is not possible through the graph model API,
 * so layer methods that replace (layer gradients) fail with a LumenError. Graphs with control flow
 * (executeAsync) are not supported.
 */
export function fromGraphModel(model: tf.GraphModel, options: FromGraphModelOptions = {}): Model {
  check(model.inputs.length === 1 && model.outputs.length === 1, 'model', () =>
    `fromGraphModel: Lumen explains models with one input and one output; found ${model.inputs.length} inputs and ${model.outputs.length} outputs`);
  const declared = model.inputs[0].shape?.slice(1) ?? [];
  const inputShape = options.inputShape?.slice() ?? declared.map((d) => d ?? -1);
  check(inputShape.every((d) => d > 0), 'model', () => `fromGraphModel: the input shape [${declared}] has unknown dimensions; pass inputShape`);
  const outputName = model.outputs[0].name;
  const inputName = model.inputs[0].name;
  const nodeNames = Object.keys((model as unknown as { executor: { graph: { nodes: Record<string, { op: string }> } } }).executor?.graph?.nodes ?? {});
  const nodeOps = (model as unknown as { executor: { graph: { nodes: Record<string, { op: string }> } } }).executor?.graph?.nodes ?? {};
  const skip = new Set(['Const', 'Placeholder', 'NoOp', 'Identity']);
  const layerNames = nodeNames.filter((n) => !skip.has(nodeOps[n].op) && n !== inputName);
  const known = new Set(layerNames);
  const run = (x: tf.Tensor, runOptions: RunOptions = {}): RunResult => {
    if (runOptions.rules) {
      throw new LumenError('model', 'fromGraphModel: gradient rules (guided backprop, deconvnet, DeepLIFT, LRP) cannot be applied to tfjs graph models, whose ops are not layers; use a layers model or an ONNX file');
    }
    if (runOptions.replace && Object.keys(runOptions.replace).length > 0) {
      throw new LumenError('layer', 'fromGraphModel: replacing a layer value is not supported for tfjs graph models (capture works)');
    }
    check(!runOptions.rules, 'model', () => 'fromGraphModel: gradient rules (guided backprop, DeepLIFT, LRP) need a layers or ONNX model; a tfjs graph model has no layer parts');
    const capture = runOptions.capture ?? [];
    for (const name of capture) check(known.has(name), 'layer', () => `fromGraphModel: unknown layer '${name}'`);
    const outs = model.execute({ [inputName]: x }, [outputName, ...capture]);
    const list = Array.isArray(outs) ? outs : [outs];
    const captured: Record<string, tf.Tensor> = {};
    capture.forEach((name, i) => (captured[name] = list[i + 1]));
    return { output: list[0], captured };
  };
  // One example through the graph gives the output shape and every layer's (per example).
  const shapes = tf.tidy(() => {
    const r = run(tf.zeros([1, ...inputShape]), { capture: layerNames });
    return { output: r.output.shape.slice(1), layers: layerNames.map((n) => r.captured[n].shape.slice(1)) };
  });
  const layers: LayerInfo[] = layerNames.map((name, i) => ({ name, kind: nodeOps[name].op, outputShape: shapes.layers[i] }));
  const probe = shapes.output;
  return {
    name: options.name ?? 'graph-model',
    inputShape,
    outputShape: probe,
    differentiable: true,
    layers,
    run,
    predict: async (x) => tf.tidy(() => run(x).output),
  };
}
