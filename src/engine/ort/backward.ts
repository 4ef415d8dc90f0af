import { LumenError } from '../../core/errors.js';
import { OrtEmitter } from './emitter.js';
import type { OrtGraph, OrtNode, OrtTensor } from './ort-graph.js';
import type { BackwardContext, BackwardRule } from './rules/rule-types.js';
import { BACKWARD_RULES } from './rules/index.js';
import { foldAffineIntoConv } from './fold-affine.js';

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
/** The prefix of the reference copy's values (DeepLIFT): `ref/<forward value>`, its inputs fed as `ref/<input>`. */
export const REF = 'ref/';

/** Consecutive forward nodes that one rule back-propagates through as a whole (a layer part, rules/part-rules.ts). */
export interface Segment {
  readonly nodes: readonly OrtNode[];
  /** The active values the segment reads from outside it. */
  readonly inputs: readonly string[];
  /** The segment's output (its last node's first output). */
  readonly output: string;
}

/** What a segment rule sees besides a node rule's context: sub-pass gradients, clones, reference values. */
export interface SegmentContext extends BackwardContext {
  /** The gradients of `wrt` for `seed` flowing back from `from` through `nodes` (their plain gradient rules); null where none flows. */
  vjp(nodes: readonly OrtNode[], from: string, seed: string, wrt: readonly string[]): (string | null)[];
  /** Emits copies of `nodes` reading `replace`d inputs; returns the copies (their values' shapes are the originals'). */
  clone(nodes: readonly OrtNode[], replace: ReadonlyMap<string, string>): OrtNode[];
  /** A value's counterpart in the reference pass (constants are their own). */
  ref(value: string): string;
}

/** A segment's backward pass: the upstream gradient of its output to one gradient per input (null: none). */
export type SegmentRule = (segment: Segment, dy: string, ctx: SegmentContext) => readonly (string | null)[];

/** Part rules for a backward pass: the segment key and rule of each node in a part, and whether the reference pass is needed. */
export interface PartRules {
  /** By a node's first output: the segment it belongs to (nodes with one key must be consecutive) and that segment's rule. */
  readonly segments: ReadonlyMap<string, { readonly key: string; readonly rule: SegmentRule }>;
  readonly reference: boolean;
}

/**
 * The backward graph of `forward`: inputs are the forward inputs plus `lumen_seed` (∂L/∂output,
 * the output's shape); outputs are the forward output and `lumen_grad` = ∂L/∂wrt. `shapes` holds
 * every forward value's static shape (a probe run at this batch size). Reverse-mode over the
 * nodes between `wrt` and the output, one rule per op (rules/; `rules` replaces the gradient
 * rules for a declared rule set, rules/relu-masked.ts), or one rule per segment of `parts` (LRP
 * and DeepLIFT, rules/part-rules.ts); with `parts.reference`, the graph also computes the forward
 * pass at the reference inputs `ref/<input>`.
 */
export function backwardGraph(forward: OrtGraph, wrt: string, shapes: ReadonlyMap<string, readonly number[]>, rules: Readonly<Record<string, BackwardRule>> = BACKWARD_RULES, parts?: PartRules): OrtGraph {
  const output = forward.outputs[0].name;
  // MaxPool's gradient scatters through the argmax: the forward node also returns its indices.
  const out = new OrtEmitter(forward.opset, 'grad/');
  // Exporters (PyTorch's among them) put slice bounds, indices and scales in Constant nodes.
  const constantNodes = new Map<string, OrtTensor>();
  for (const n of forward.nodes) {
    const t = n.op === 'Constant' ? n.attrs?.value : undefined;
    if (t && 't' in t) constantNodes.set(n.outputs[0], t.t);
  }
  const constant = (v: string): OrtTensor | undefined => forward.initializers.get(v) ?? out.initializers.get(v) ?? constantNodes.get(v);
  let nodes = pruneGraph(forward.nodes, [output]).map((n) => (n.op === 'MaxPool' && n.outputs.length === 1 ? { ...n, outputs: [n.outputs[0], `${n.outputs[0]}/indices`] } : n));
  // The plain gradient (and guided backprop, deconvnet) see batch norms inside their Convs' kernels; layer-part rules see the layers as they are.
  if (!parts) nodes = foldAffineIntoConv(nodes, constant, (v) => shapes.get(v), new Set([wrt, output]), out);
  const active = activeValues(nodes, wrt, output);
  /** Values copied from forward values (clones, the reference pass): their shapes are the originals'. */
  const copies = new Map<string, string>();
  const producers = new Map<string, OrtNode>();
  const readers = new Map<string, number>([[output, 1]]);
  for (const n of nodes) {
    for (const o of n.outputs) producers.set(o, n);
    for (const i of n.inputs) if (i) readers.set(i, (readers.get(i) ?? 0) + 1);
  }
  const ctx: BackwardContext = {
    out,
    producer: (v) => producers.get(v),
    consumers: (v) => readers.get(v) ?? 0,
    handled: new Map(),
    shape(v) {
      const o = copies.get(v) ?? v;
      const s = shapes.get(o) ?? (forward.initializers.get(o) ?? out.initializers.get(o))?.dims;
      if (!s) throw new LumenError('model', `onnxruntime engine: no shape for value '${v}'`);
      return s;
    },
    constant,
    active: (v) => active.has(v),
  };
  const refNodes: OrtNode[] = [];
  const ref = (v: string): string => (v === '' || constant(v) ? v : `${REF}${v}`);
  if (parts?.reference) {
    for (const n of nodes) {
      refNodes.push({ ...n, inputs: n.inputs.map(ref), outputs: n.outputs.map(ref) });
      for (const o of n.outputs) copies.set(ref(o), o);
    }
    for (const i of forward.inputs) copies.set(ref(i.name), i.name);
  }
  const segCtx: SegmentContext = {
    ...ctx,
    vjp(sub, from, seed, wrts) {
      const local = new Set(wrts);
      for (const n of sub) if (n.inputs.some((i) => local.has(i))) for (const o of n.outputs) local.add(o);
      const sctx: BackwardContext = { ...ctx, active: (v) => local.has(v) };
      const grads = reverse(sub, new Map([[from, seed]]), sctx, BACKWARD_RULES, out);
      return wrts.map((w) => grads.get(w) ?? null);
    },
    clone(sub, replace) {
      const names = new Map(replace);
      for (const [o, r] of replace) if (!copies.has(r) && !shapes.has(r)) copies.set(r, copies.get(o) ?? o);
      const copied = sub.map((n) => {
        const outputs = n.outputs.map((o) => {
          const c = out.fresh(n.op);
          names.set(o, c);
          copies.set(c, copies.get(o) ?? o);
          return c;
        });
        return { ...n, inputs: n.inputs.map((i) => names.get(i) ?? i), outputs };
      });
      out.nodes.push(...copied);
      return copied;
    },
    ref,
  };
  // Segments: consecutive active nodes with one key.
  const segmentOf = new Map<string, { segment: Segment; rule: SegmentRule }>();
  if (parts) {
    const groups = new Map<string, OrtNode[]>();
    for (const n of nodes) {
      const s = parts.segments.get(n.outputs[0]);
      if (!s || !n.outputs.some((o) => active.has(o))) continue;
      const list = groups.get(s.key) ?? [];
      list.push(n);
      groups.set(s.key, list);
    }
    for (const [key, list] of groups) {
      const produced = new Set(list.flatMap((n) => n.outputs));
      const inputs = [...new Set(list.flatMap((n) => n.inputs).filter((i) => i !== '' && !produced.has(i) && active.has(i)))];
      const segment: Segment = { nodes: list, inputs, output: list[list.length - 1].outputs[0] };
      const rule = (parts.segments.get(list[0].outputs[0]) as { rule: SegmentRule }).rule;
      for (const n of list) segmentOf.set(n.outputs[0], { segment, rule });
      void key;
    }
  }
  const grads = reverse(nodes, new Map([[output, SEED]]), ctx, rules, out, (node, dys) => {
    const s = segmentOf.get(node.outputs[0]);
    if (!s) return undefined;
    const { segment, rule } = s;
    if (node !== segment.nodes[segment.nodes.length - 1]) return null;
    const dy = dys[0];
    if (dy === null) return null;
    return { inputs: segment.inputs, grads: rule(segment, dy, segCtx) };
  });
  const g = grads.get(wrt);
  if (g === undefined) throw new LumenError('model', `onnxruntime engine: the output does not depend on '${wrt}'`);
  out.nodes.push({ op: 'Identity', inputs: [g], outputs: [GRAD] });
  const outputInfo = forward.outputs[0];
  const wrtInfo = forward.inputs.find((i) => i.name === wrt);
  const all = pruneGraph([...nodes, ...refNodes, ...out.nodes], [output, GRAD]);
  const used = new Set(all.flatMap((n) => n.inputs));
  const refInputs = parts?.reference ? forward.inputs.map((i) => ({ ...i, name: ref(i.name) })) : [];
  return {
    opset: forward.opset,
    nodes: all,
    initializers: new Map([...forward.initializers, ...out.initializers].filter(([name]) => used.has(name))),
    inputs: [...[...forward.inputs, ...refInputs].filter((i) => used.has(i.name)), { name: SEED, type: 1, dims: ctx.shape(output) }],
    outputs: [outputInfo, { name: GRAD, type: 1, dims: wrtInfo ? wrtInfo.dims : ctx.shape(wrt) }],
  };
}

/**
 * Reverse-mode over `nodes` from the gradients in `seeds`: each active node's rule (or `hook`'s
 * answer: undefined = use the rule, null = skip the node, else gradients for the listed inputs);
 * gradients of a value read several times add up. Returns every gradient reached.
 */
function reverse(
  nodes: readonly OrtNode[],
  seeds: ReadonlyMap<string, string>,
  ctx: BackwardContext,
  rules: Readonly<Record<string, BackwardRule>>,
  out: OrtEmitter,
  hook?: (node: OrtNode, dys: readonly (string | null)[]) => { inputs: readonly string[]; grads: readonly (string | null)[] } | null | undefined,
): Map<string, string> {
  const grads = new Map(seeds);
  const accumulate = (value: string, g: string): void => {
    const prev = grads.get(value);
    grads.set(value, prev === undefined ? g : out.emit('Add', [prev, g]));
  };
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k];
    if (!node.outputs.some((o) => ctx.active(o))) continue;
    const dys = node.outputs.map((o) => grads.get(o) ?? null);
    if (dys.every((d) => d === null)) continue;
    const hooked = hook?.(node, dys);
    if (hooked === null) continue;
    if (hooked) {
      hooked.inputs.forEach((input, i) => {
        const g = hooked.grads[i];
        if (g && ctx.active(input)) accumulate(input, g);
      });
      continue;
    }
    const rule = rules[node.op];
    if (!rule) throw new LumenError('model', `onnxruntime engine: op ${node.op} has no backward rule`);
    const dxs = rule(node, dys, ctx);
    node.inputs.forEach((input, i) => {
      const g = dxs[i];
      if (g && ctx.active(input)) accumulate(input, g);
    });
  }
  return grads;
}
