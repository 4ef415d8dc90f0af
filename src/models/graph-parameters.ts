/**
 * The parameters of a graph IR model: the weight and bias of every node whose computation is one
 * linear op (Dense, Conv2D, DepthwiseConv2D; ONNX Gemm, MatMul, Conv, ConvTranspose) followed by
 * element-wise parts (a fused activation), and the execution of such a node with other parameter
 * values or an additive perturbation of its pre-activation output (see RunOptions).
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { LinearOp } from '../core/rules.js';
import type { ModelParameter } from '../core/model.js';
import type { Graph, GraphNode } from './graph-types.js';

/** A node's linear op, when the node is one linear op (with one weight tensor) followed by other parts. */
export function nodeLinearOp(node: GraphNode): LinearOp | null {
  const parts = node.parts;
  if (!parts || parts.length === 0) return null;
  const first = parts[0];
  if (first.op.family !== 'linear' || !first.op.linear || first.op.linear.weights.length !== 1) return null;
  if (parts.slice(1).some((p) => p.op.family === 'linear' || p.op.family === 'batchnorm')) return null;
  return first.op.linear;
}

/** How a kernel's per-example gradient is laid out: [in, out] ('kernel') or [out, in] ('kernel-out-in'); 'other' for convolutions. */
function kernelRole(linear: LinearOp, kernel: tf.Tensor): ModelParameter['role'] {
  if (kernel.rank !== 2) return 'other';
  return (linear.outputAxis ?? kernel.rank - 1) === 0 ? 'kernel-out-in' : 'kernel';
}

/**
 * The parameters of a graph, in node order (kernel, then bias), named `node/kernel` and
 * `node/bias`; `current` gives a parameter's current value (the node's own unless overridden).
 */
export function graphParameters(graph: Graph, current: (name: string, own: tf.Tensor) => tf.Tensor = (_n, own) => own): ModelParameter[] {
  const out: ModelParameter[] = [];
  for (const node of graph.nodes) {
    const linear = nodeLinearOp(node);
    if (!linear) continue;
    const kernel = linear.weights[0];
    out.push({ name: `${node.name}/kernel`, layer: node.name, role: kernelRole(linear, kernel), shape: kernel.shape, value: current(`${node.name}/kernel`, kernel) });
    if (linear.bias) out.push({ name: `${node.name}/bias`, layer: node.name, role: 'bias', shape: linear.bias.shape, value: current(`${node.name}/bias`, linear.bias) });
  }
  return out;
}

/** Checks that every named value is a parameter of the given shape. */
export function checkParameterValues(parameters: readonly ModelParameter[], values: Readonly<Record<string, tf.Tensor>>, what: string): void {
  const byName = new Map(parameters.map((p) => [p.name, p]));
  for (const [name, t] of Object.entries(values)) {
    const p = byName.get(name);
    check(p !== undefined, 'option', () => `${what}: no parameter '${name}'; the model's parameters are ${[...byName.keys()].join(', ') || 'none'}`);
    check(t instanceof tf.Tensor && t.shape.length === p.shape.length && t.shape.every((d, i) => d === p.shape[i]), 'shape', () =>
      `${what}: parameter '${name}' has shape [${p.shape}]; found ${t instanceof tf.Tensor ? `[${t.shape}]` : typeof t}`);
  }
}

/**
 * Runs one linear node with parameter values (by name, falling back to the node's own) and an
 * optional tensor added to its pre-activation output, then its remaining parts.
 */
export function runLinearNode(node: GraphNode, input: tf.Tensor, params: Readonly<Record<string, tf.Tensor>>, perturb: tf.Tensor | undefined): tf.Tensor {
  const linear = nodeLinearOp(node);
  check(linear !== null, 'layer', () => `run: layer '${node.name}' (${node.kind}) is not one linear op (Dense, Conv, Gemm, MatMul); its parameters cannot be replaced or its pre-activation perturbed`);
  const kernel = params[`${node.name}/kernel`] ?? linear.weights[0];
  const bias = params[`${node.name}/bias`] ?? linear.bias;
  let y = linear.apply(input, [kernel], bias);
  if (perturb) {
    check(perturb.shape.length === y.shape.length && perturb.shape.every((d, i) => d === y.shape[i]), 'shape', () =>
      `run: perturbation of layer '${node.name}' must have its pre-activation shape [${y.shape}]; found [${perturb.shape}]`);
    y = tf.add(y, perturb);
  }
  for (const part of (node.parts ?? []).slice(1)) y = part.apply([y]);
  return y;
}
