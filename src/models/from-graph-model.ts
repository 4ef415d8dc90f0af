import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { LayerInfo, Model, OutputKind, RunOptions, RunResult } from '../core/model.js';
import { chooseOutput } from './from-layers-model.js';
import { runWithActivationRules } from './graph-model-rules.js';
import { chooseOutputKind, outputKindOfActivation } from './output-kind.js';

/** Options of `fromGraphModel`. */
export interface FromGraphModelOptions {
  readonly name?: string;
  /** Shape of one example, when the graph model's input signature leaves dimensions unknown. */
  readonly inputShape?: readonly number[];
  /** What the outputs are; default: detected ('probabilities' when the output node is a Softmax or Sigmoid). */
  readonly outputKind?: OutputKind;
  /** Which output node the Model returns, by its `outputs` name (required when there are several). */
  readonly output?: string;
  /** Whether the Model's `dispose()` also disposes the tf.GraphModel (default false: the caller owns it). */
  readonly owned?: boolean;
}

/** The part of tfjs' graph (internal to tf.GraphModel) Lumen reads: ops and their inputs, by node name. */
interface GraphNodeInfo {
  readonly op: string;
  readonly inputs: readonly GraphNodeInfo[];
}

const NOT_LAYERS: ReadonlySet<string> = new Set(['Const', 'Placeholder', 'NoOp', 'Identity']);

/**
 * Wraps a tfjs graph model (a TF SavedModel or frozen graph converted by tensorflowjs_converter) as
 * a differentiable Lumen Model: `run` calls `GraphModel.execute`, whose ops tfjs records on its
 * tape, so gradient methods work. `layers` are the graph's op nodes, by node name: captured by
 * asking `execute` for them, replaced by feeding them (`execute({input: x, [node]: value}, …)`,
 * exact and differentiable), so layer methods and Grad-CAM work on them. Gradient rules apply to
 * activations only (guided backprop, deconvnet; graph-model-rules.ts); rule sets that modify
 * linear layers (LRP, DeepLIFT) need layer parts and are refused. Graphs with control flow
 * (executeAsync) are not supported.
 */
export function fromGraphModel(model: tf.GraphModel, options: FromGraphModelOptions = {}): Model {
  check(model.inputs.length === 1, 'model', () => `fromGraphModel: Lumen explains models with one input; found ${model.inputs.length} inputs`);
  const declared = model.inputs[0].shape?.slice(1) ?? [];
  const inputShape = options.inputShape?.slice() ?? declared.map((d) => d ?? -1);
  check(inputShape.every((d) => d > 0), 'model', () => `fromGraphModel: the input shape [${declared}] has unknown dimensions; pass inputShape`);
  const outputs = model.outputs.map((o) => o.name);
  const outputName = outputs[chooseOutput(outputs, options.output, 'fromGraphModel')];
  const inputName = model.inputs[0].name;
  const nodes = (model as unknown as { executor?: { graph?: { nodes?: Record<string, GraphNodeInfo> } } }).executor?.graph?.nodes ?? {};
  const layerNames = Object.keys(nodes).filter((n) => !NOT_LAYERS.has(nodes[n].op) && n !== inputName);
  const known = new Set(layerNames);
  const checkLayers = (names: readonly string[], what: string): void => {
    for (const name of names) check(known.has(name), 'layer', () => `fromGraphModel: cannot ${what} unknown layer '${name}' (the graph's op nodes are the layers; see model.layers)`);
  };
  const run = (x: tf.Tensor, runOptions: RunOptions = {}): RunResult => {
    const rules = runOptions.rules;
    if (rules) return runWithActivationRules(rules, 'fromGraphModel', () => run(x, { ...runOptions, rules: undefined }));
    const capture = runOptions.capture ?? [];
    const replace = runOptions.replace ?? {};
    checkLayers(capture, 'capture');
    checkLayers(Object.keys(replace), 'replace');
    const outs = model.execute({ [inputName]: x, ...replace }, [outputName, ...capture]);
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
  const layers: LayerInfo[] = layerNames.map((name, i) => ({ name, kind: nodes[name].op, outputShape: shapes.layers[i] }));
  return {
    name: options.name ?? 'graph-model',
    inputShape,
    outputShape: shapes.output,
    outputKind: chooseOutputKind(options.outputKind, graphOutputKind(nodes, outputName), 'fromGraphModel'),
    outputs,
    differentiable: true,
    layers,
    run,
    predict: async (x) => tf.tidy(() => run(x).output),
    dispose: () => {
      if (options.owned) model.dispose();
    },
  };
}

/** 'probabilities' when the output node, through Identity nodes, is a Softmax or Sigmoid op. */
function graphOutputKind(nodes: Readonly<Record<string, GraphNodeInfo>>, output: string): OutputKind {
  let node: GraphNodeInfo | undefined = nodes[output.replace(/:\d+$/, '')];
  for (let hops = 0; node && (node.op === 'Identity' || node.op === 'IdentityN') && hops < 100; hops++) node = node.inputs[0];
  return outputKindOfActivation(node?.op);
}
