import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model, OutputKind, RunOptions, RunResult } from '../core/model.js';
import { executeGraph } from './graph.js';
import type { Graph } from './graph-types.js';
import { chooseOutputKind } from './output-kind.js';

/** What `fromGraph` needs besides the graph. */
export interface FromGraphOptions {
  readonly name?: string;
  /** Shape of one example, without the batch axis. */
  readonly inputShape: readonly number[];
  /** Shape of one example's output, without the batch axis. */
  readonly outputShape: readonly number[];
  /** What the output node returns: 'logits' (default) or 'probabilities'. */
  readonly outputKind?: OutputKind;
  /** Called by the Model's `dispose()` (e.g. to free the weights the nodes close over). */
  readonly dispose?: () => void;
}

/**
 * Wraps a graph of Lumen's IR (named nodes over named inputs, src/models/graph-types.ts) as a
 * differentiable Model: every node is a layer that can be captured and replaced by name, so layer
 * methods (layer IG on a token embedding, attention capture) work on a network written from its
 * own weights. Nodes without `parts` refuse gradient rules with a LumenError naming them. The
 * graph stays readable as `model.graph` (AttnLRP's conventions read its nodes).
 */
export function fromGraph(graph: Graph, options: FromGraphOptions): Model & { readonly graph: Graph } {
  const name = options.name ?? 'graph';
  const names = new Set(graph.nodes.map((n) => n.name));
  check(names.has(graph.output), 'model', () => `fromGraph: output node '${graph.output}' is not one of the graph's nodes (${[...names].join(', ')})`);
  check(names.size === graph.nodes.length, 'model', () => `fromGraph: node names must be unique; found ${graph.nodes.length} nodes with ${names.size} names`);
  const run = (x: tf.Tensor, runOptions?: RunOptions): RunResult => executeGraph(graph, x, runOptions);
  return {
    name,
    inputShape: [...options.inputShape],
    outputShape: [...options.outputShape],
    outputKind: chooseOutputKind(options.outputKind, 'logits', 'fromGraph'),
    outputs: [graph.output],
    differentiable: true,
    layers: graph.nodes.map(({ name: n, kind, outputShape }) => ({ name: n, kind, outputShape })),
    run,
    predict: async (x) => tf.tidy(() => run(x).output),
    dispose: () => options.dispose?.(),
    graph,
  };
}
