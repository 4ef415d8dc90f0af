import { LumenError } from '../../core/errors.js';
import { OrtEmitter } from './emitter.js';
import type { OrtGraph, OrtNode, OrtTensor } from './ort-graph.js';
import type { BackwardContext, BackwardRule } from './rules/rule-types.js';
import { BACKWARD_RULES } from './rules/index.js';

/** The ops a forward graph uses on the path from `wrt` to `output` that have no backward rule. */
export function opsWithoutRule(graph: OrtGraph, wrt: string, output: string, rules: Readonly<Record<string, BackwardRule>> = BACKWARD_RULES): string[] {
  const active = activeValues(graph.nodes, wrt, output);
  const missing = new Set<string>();
  for (const n of graph.nodes) if (n.outputs.some((o) => active.has(o)) && !rules[n.op]) missing.add(n.op);
  return [...missing];
}

/** Ops whose outputs are shapes of their inputs: no gradient flows through them. */
const SHAPE_OPS = new Set(['Shape', 'Size']);

/** Values that depend on `wrt` and that `output` depends on. */
function activeValues(nodes: readonly OrtNode[], wrt: string, output: string): Set<string> {
  const fromWrt = new Set([wrt]);
  for (const n of nodes) if (!SHAPE_OPS.has(n.op) && n.inputs.some((i) => fromWrt.has(i))) for (const o of n.outputs) fromWrt.add(o);
  const toOut = new Set([output]);
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k];
    if (n.outputs.some((o) => toOut.has(o))) for (const i of n.inputs) if (i) toOut.add(i);
  }
  return new Set([...fromWrt].filter((v) => toOut.has(v)));
}

/** Nodes `outputs` need, in order. */
export function pruneGraph(nodes: readonly OrtNode[], outputs: readonly string[]): OrtNode[] {
  const needed = new Set(outputs);
  const kept: OrtNode[] = [];
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k];
    if (!n.outputs.some((o) => needed.has(o))) continue;
    kept.push(n);
    for (const i of n.inputs) if (i) needed.add(i);
  }
  return kept.reverse();
}

/** Graph names of the backward graph's extra input and output. */
export const SEED = 'lumen_seed';
export const GRAD = 'lumen_grad';

/**
 * The backward graph of `forward`: inputs are the forward inputs plus `lumen_seed` (∂L/∂output,
 * the output's shape); outputs are the forward output and `lumen_grad` = ∂L/∂wrt. `shapes` holds
 * every forward value's static shape (a probe run at this batch size). Reverse-mode over the
 * nodes between `wrt` and the output, one rule per op (rules/; `rules` replaces the gradient
 * rules for a declared rule set, rules/relu-masked.ts).
 */
export function backwardGraph(forward: OrtGraph, wrt: string, shapes: ReadonlyMap<string, readonly number[]>, rules: Readonly<Record<string, BackwardRule>> = BACKWARD_RULES): OrtGraph {
  const output = forward.outputs[0].name;
  // MaxPool's gradient scatters through the argmax: the forward node also returns its indices.
  const nodes = pruneGraph(forward.nodes, [output]).map((n) => (n.op === 'MaxPool' && n.outputs.length === 1 ? { ...n, outputs: [n.outputs[0], `${n.outputs[0]}/indices`] } : n));
  const active = activeValues(nodes, wrt, output);
  const out = new OrtEmitter(forward.opset, 'grad/');
  // Exporters (PyTorch's among them) put slice bounds, indices and scales in Constant nodes.
  const constantNodes = new Map<string, OrtTensor>();
  for (const n of forward.nodes) {
    const t = n.op === 'Constant' ? n.attrs?.value : undefined;
    if (t && 't' in t) constantNodes.set(n.outputs[0], t.t);
  }
  const ctx: BackwardContext = {
    out,
    shape(v) {
      const s = shapes.get(v) ?? (forward.initializers.get(v) ?? out.initializers.get(v))?.dims;
      if (!s) throw new LumenError('model', `onnxruntime engine: no shape for value '${v}'`);
      return s;
    },
    constant: (v) => forward.initializers.get(v) ?? out.initializers.get(v) ?? constantNodes.get(v),
    active: (v) => active.has(v),
  };
  const grads = new Map<string, string>([[output, SEED]]);
  const accumulate = (value: string, g: string): void => {
    const prev = grads.get(value);
    grads.set(value, prev === undefined ? g : out.emit('Add', [prev, g]));
  };
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k];
    if (!node.outputs.some((o) => active.has(o))) continue;
    const dys = node.outputs.map((o) => grads.get(o) ?? null);
    if (dys.every((d) => d === null)) continue;
    const rule = rules[node.op];
    if (!rule) throw new LumenError('model', `onnxruntime engine: op ${node.op} has no backward rule`);
    const dxs = rule(node, dys, ctx);
    node.inputs.forEach((input, i) => {
      const g = dxs[i];
      if (g && active.has(input)) accumulate(input, g);
    });
  }
  const g = grads.get(wrt);
  if (g === undefined) throw new LumenError('model', `onnxruntime engine: the output does not depend on '${wrt}'`);
  out.nodes.push({ op: 'Identity', inputs: [g], outputs: [GRAD] });
  const outputInfo = forward.outputs[0];
  const wrtInfo = forward.inputs.find((i) => i.name === wrt);
  const all = [...nodes, ...out.nodes];
  const used = new Set(all.flatMap((n) => n.inputs));
  return {
    opset: forward.opset,
    nodes: all,
    initializers: new Map([...forward.initializers, ...out.initializers].filter(([name]) => used.has(name))),
    inputs: [...forward.inputs.filter((i) => used.has(i.name)), { name: SEED, type: 1, dims: ctx.shape(output) }],
    outputs: [outputInfo, { name: GRAD, type: 1, dims: wrtInfo ? wrtInfo.dims : ctx.shape(wrt) }],
  };
}
