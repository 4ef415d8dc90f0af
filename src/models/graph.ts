import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { LayerInfo, RunOptions, RunResult } from '../core/model.js';
import type { Graph, GraphNode } from './graph-types.js';
import { planRules, runWithRules } from './rule-engine.js';
import { runLinearNode } from './graph-parameters.js';

/** The name that stands for the model's input in `GraphNode.inputs`. */
export const GRAPH_INPUT = 'input';

/**
 * Executes a graph on `x` with tfjs ops: replaced nodes take the given tensors, captured nodes are
 * returned, and only the nodes the output or a capture needs are computed. With `rules`, every part
 * of every node runs under the rule its rule set chooses (see rule-engine.ts); `wrap` functions
 * are applied to the named nodes' outputs (same values, other gradients).
 */
export function executeGraph(graph: Graph, x: tf.Tensor, options: RunOptions = {}): RunResult {
  const replace = options.replace ?? {};
  const capture = options.capture ?? [];
  const wrap = options.wrap ?? {};
  const needed = neededNodes(graph, replace, capture);
  for (const name of Object.keys(wrap)) check(graph.nodes.some((n) => n.name === name), 'layer', () => `run: unknown layer '${name}' (wrap); the model's layers are ${graph.nodes.map((n) => n.name).join(', ')}`);
  const plan = options.rules ? planRules(graph.nodes, options.rules) : null;
  const values = new Map<string, tf.Tensor>([[GRAPH_INPUT, x]]);
  const params = options.params ?? {};
  const perturb = options.perturb ?? {};
  const overridden = new Set(Object.keys(params).map((name) => name.slice(0, name.lastIndexOf('/'))));
  const layerInputs: Record<string, tf.Tensor> = {};
  check(!plan || (overridden.size === 0 && Object.keys(perturb).length === 0), 'option', () => 'run: gradient rules cannot be combined with params or perturb');
  for (const name of Object.keys(perturb)) check(needed.has(name), 'layer', () => `run: layer '${name}' (perturb) is not on the path to the output`);
  for (const node of graph.nodes) {
    if (!needed.has(node.name)) continue;
    const replacement = replace[node.name];
    if (replacement) {
      values.set(node.name, replacement);
      continue;
    }
    const inputs = node.inputs.map((name) => values.get(name) as tf.Tensor);
    if (overridden.has(node.name) || perturb[node.name]) {
      if (perturb[node.name]) layerInputs[node.name] = inputs[0];
      values.set(node.name, runLinearNode(node, inputs[0], params, perturb[node.name]));
      continue;
    }
    const y = plan ? runWithRules(node, plan, inputs) : node.apply(inputs);
    const wrapped = wrap[node.name];
    values.set(node.name, wrapped ? wrapped(y) : y);
  }
  const captured: Record<string, tf.Tensor> = {};
  for (const name of capture) captured[name] = values.get(name) as tf.Tensor;
  const output = values.get(graph.output) as tf.Tensor;
  return Object.keys(perturb).length ? { output, captured, layerInputs } : { output, captured };
}

function neededNodes(graph: Graph, replace: Readonly<Record<string, tf.Tensor>>, capture: readonly string[]): Set<string> {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  for (const name of [...capture, ...Object.keys(replace)]) {
    check(byName.has(name), 'layer', () => `run: unknown layer '${name}'; the model's layers are ${[...byName.keys()].join(', ')}`);
  }
  const needed = new Set<string>();
  const stack = [graph.output, ...capture];
  while (stack.length) {
    const name = stack.pop() as string;
    if (needed.has(name) || name === GRAPH_INPUT) continue;
    needed.add(name);
    if (replace[name]) continue;
    stack.push(...(byName.get(name) as GraphNode).inputs);
  }
  return needed;
}
