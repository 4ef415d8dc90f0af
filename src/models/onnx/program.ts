/**
 * ONNX graph → Lumen graph IR (src/models/graph.ts). The importer traces the graph once on sample
 * inputs: nodes whose inputs are all constants are folded into constants; every other node becomes
 * a `GraphNode` (named as in the file) whose `apply` runs the op's tfjs implementation, with the
 * layout (ONNX or channels-last) of each value fixed by the trace. Unsupported ops are reported
 * together, before anything runs.
 */
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../../core/errors.js';
import type { GraphNode } from '../graph-types.js';
import { ONNX_MAX_OPSET, ONNX_MIN_OPSET, type OnnxModelRecord, type OnnxNodeRecord } from './decode.js';
import { onnxOpVersion } from './ops/op-versions.js';
import { ONNX_OPS, onnxOpSupported } from './ops/registry.js';
import { onnxNodeParts } from './parts.js';
import { onnxLogical, OnnxAttributes, onnxPlain, onnxTensorOf, fromChannelsLastPerm, toChannelsLastPerm, type OnnxOpCall, type OnnxValue } from './values.js';

/** Where an ONNX graph output comes from: a runtime node (with its layout) or a constant. */
export type OnnxOutputSource = { readonly id: string; readonly channelsLast: boolean } | { readonly constant: tf.Tensor };

/** An imported ONNX graph: runtime nodes in topological order, the ids of its inputs and outputs. */
export interface OnnxProgram {
  readonly record: OnnxModelRecord;
  readonly nodes: readonly GraphNode[];
  /** Layout of every runtime value (node ids and input ids): true for channels-last. */
  readonly channelsLast: ReadonlyMap<string, boolean>;
  /** ONNX input name → the id its value has in `nodes[].inputs`. */
  readonly inputIds: ReadonlyMap<string, string>;
  /** ONNX output name → where it comes from. */
  readonly outputs: ReadonlyMap<string, OnnxOutputSource>;
  /** Output shape (physical, with the batch axis) of every runtime node on the trace inputs. */
  readonly tracedShapes: ReadonlyMap<string, readonly number[]>;
  /** The GraphNode id of every ONNX value a node produced (not the constant-folded ones). */
  readonly valueIds: ReadonlyMap<string, string>;
  /** Frees the constants (initializers, folded values, re-laid-out filters). */
  dispose(): void;
}

/** A graph input fed to the trace: its id in the IR, the sample tensor and its layout. */
export interface OnnxTraceInput {
  readonly id: string;
  readonly tensor: tf.Tensor;
  readonly channelsLast: boolean;
}

/**
 * Why the model's operator set is not imported, or null. Opsets 7–20 are; an older model is too
 * when every op it uses has the same definition at its opset as at opset 7 (e.g. Elu-6, Not-1,
 * GlobalAveragePool-1, which are still current), since the op handlers implement those.
 */
export function onnxOpsetProblem(record: OnnxModelRecord): string | null {
  const range = `Lumen imports ONNX operator sets ${ONNX_MIN_OPSET}–${ONNX_MAX_OPSET}`;
  if (record.opset > ONNX_MAX_OPSET) return `${range}; the model uses opset ${record.opset}`;
  if (record.opset >= ONNX_MIN_OPSET) return null;
  const changed = [...new Set(record.nodes.filter((n) => onnxOpSupported(n.opType, n.domain)).map((n) => n.opType))]
    .filter((op) => onnxOpVersion(op, record.opset) === null || onnxOpVersion(op, record.opset) !== onnxOpVersion(op, ONNX_MIN_OPSET));
  if (changed.length === 0) return null;
  return `${range} (older ones only when their ops are unchanged up to opset ${ONNX_MIN_OPSET}); the model uses opset ${record.opset}, where ${changed.sort().join(', ')} ${changed.length > 1 ? 'differ' : 'differs'} from opset ${ONNX_MIN_OPSET} (re-export it, or convert it with onnx.version_converter)`;
}

/** Fails with every op type the graph uses that Lumen does not import, and the nodes using it. */
export function checkOnnxOpsSupported(record: OnnxModelRecord, what: string): void {
  const opsetProblem = onnxOpsetProblem(record);
  check(opsetProblem === null, 'model', () => `${what}: ${opsetProblem}`);
  const missing = new Map<string, string[]>();
  record.nodes.forEach((n, i) => {
    if (onnxOpSupported(n.opType, n.domain)) return;
    const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
    const nodes = missing.get(key) ?? [];
    nodes.push(n.name || `#${i}`);
    missing.set(key, nodes);
  });
  if (missing.size === 0) return;
  const list = [...missing].map(([op, nodes]) => `${op} (node${nodes.length > 1 ? 's' : ''} ${nodes.slice(0, 8).join(', ')}${nodes.length > 8 ? ` and ${nodes.length - 8} more` : ''})`);
  throw new LumenError('model', `${what}: the model uses ${missing.size} op type${missing.size > 1 ? 's' : ''} Lumen does not import: ${list.join('; ')}. Supported: ${Object.keys(ONNX_OPS).sort().join(', ')}`);
}

function uniqueIds(nodes: readonly OnnxNodeRecord[], reserved: Iterable<string>): string[] {
  const taken = new Set(reserved);
  return nodes.map((n, i) => {
    const base = n.name || `${n.opType}_${i}`;
    let id = base;
    for (let k = 1; taken.has(id); k++) id = `${base}_${k}`;
    taken.add(id);
    return id;
  });
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Imports a decoded ONNX model into Lumen's graph IR by tracing it on `inputs` (ONNX input name →
 * sample). Every non-constant node becomes a GraphNode; the returned program owns its constants.
 */
export function importOnnxProgram(record: OnnxModelRecord, inputs: ReadonlyMap<string, OnnxTraceInput>, what: string): OnnxProgram {
  checkOnnxOpsSupported(record, what);
  const owned: tf.Tensor[] = [];
  const caches: Map<string, tf.Tensor>[] = [];
  const constants = new Map<string, OnnxValue>();
  const dispose = (): void => {
    tf.dispose(owned);
    for (const c of caches) tf.dispose([...c.values()]);
  };
  const scratch: tf.Tensor[] = [];
  const inputTensors = new Set([...inputs.values()].map((i) => i.tensor));
  try {
    for (const [name, data] of record.initializers) {
      const t = onnxTensorOf(data);
      owned.push(t);
      constants.set(name, onnxPlain(t));
    }
    const traced = new Map<string, OnnxValue>();
    const ids = new Map<string, string>();
    const channelsLast = new Map<string, boolean>();
    const inputIds = new Map<string, string>();
    for (const [name, input] of inputs) {
      check(!constants.has(name), 'model', () => `${what}: '${name}' is an initializer, not an input`);
      traced.set(name, { tensor: input.tensor, channelsLast: input.channelsLast });
      ids.set(name, input.id);
      inputIds.set(name, input.id);
      channelsLast.set(input.id, input.channelsLast);
    }
    const nodeIds = uniqueIds(record.nodes, [...inputIds.values()]);
    const nodes: GraphNode[] = [];
    const tracedShapes = new Map<string, number[]>();
    record.nodes.forEach((node, index) => {
      const id = nodeIds[index];
      const where = `${what}: node '${node.name || id}' (${node.opType})`;
      const handler = ONNX_OPS[node.opType];
      const values = node.inputs.map((name) => {
        if (name === '') return null;
        const v = constants.get(name) ?? traced.get(name);
        check(v !== undefined, 'model', () => `${where}: input '${name}' is not produced by an earlier node, an initializer or a graph input (the graph must be in topological order)`);
        return v;
      });
      const constant = node.inputs.map((name) => name !== '' && constants.has(name));
      const cache = new Map<string, tf.Tensor>();
      caches.push(cache);
      const attrs = new OnnxAttributes(node.attributes, where);
      const call: OnnxOpCall = { node: node.name || id, opType: node.opType, opset: record.opset, attrs, inputs: values, constant, outputCount: node.outputs.length, cache };
      const allConstant = values.every((v, i) => v === null || constant[i]);
      let outs: (OnnxValue | null)[];
      try {
        const flags: boolean[] = [];
        const tensors = tf.tidy(() => {
          const r = handler(call);
          r.forEach((v, i) => (flags[i] = v?.channelsLast ?? false));
          return r.map((v) => (v ? (allConstant ? onnxLogical(v) : v.tensor) : tf.scalar(0)));
        });
        outs = tensors.map((t, i) => (i < flags.length && node.outputs[i] ? { tensor: t, channelsLast: allConstant ? false : flags[i] } : (t.dispose(), null)));
      } catch (e) {
        if (e instanceof LumenError) throw new LumenError(e.code, e.message.startsWith(what) ? e.message : `${where}: ${e.message}`);
        throw new LumenError('model', `${where}: cannot run on the trace input: ${describe(e)}`);
      }
      if (allConstant) {
        outs.forEach((v, k) => {
          if (!v) return;
          owned.push(v.tensor);
          constants.set(node.outputs[k], v);
        });
        return;
      }
      const dynamic = node.inputs.map((name, i) => (name === '' || constant[i] ? null : name));
      const dynamicNames = [...new Set(dynamic.filter((n): n is string => n !== null))];
      const slots = node.inputs.map((name, i) => (name === '' ? -1 : constant[i] ? -1 : dynamicNames.indexOf(name)));
      const inputLayouts = dynamicNames.map((n) => traced.get(n)?.channelsLast ?? false);
      outs.forEach((v, k) => {
        if (!v) return;
        const outId = k === 0 ? id : `${id}:${k}`;
        const layout = v.channelsLast;
        const graphNode: GraphNode = {
          name: outId,
          kind: node.opType,
          inputs: dynamicNames.map((n) => ids.get(n) as string),
          outputShape: v.tensor.shape.slice(1),
          apply(ts: tf.Tensor[]): tf.Tensor {
            const vals = values.map((c, i) => (slots[i] >= 0 ? { tensor: ts[slots[i]], channelsLast: inputLayouts[slots[i]] } : c));
            const result = handler({ ...call, inputs: vals });
            const out = result[k];
            if (!out) throw new LumenError('model', `${where}: output ${k} was not produced`);
            result.forEach((r, j) => { if (j !== k && r && r.tensor !== out.tensor && !ts.includes(r.tensor)) r.tensor.dispose(); });
            if (out.channelsLast === layout) return out.tensor;
            return tf.transpose(out.tensor, layout ? toChannelsLastPerm(out.tensor.rank) : fromChannelsLastPerm(out.tensor.rank));
          },
        };
        nodes.push(k === 0 ? { ...graphNode, parts: onnxNodeParts({ call, handler, slots, inputLayouts, layout, apply: graphNode.apply }) } : graphNode);
        ids.set(node.outputs[k], outId);
        traced.set(node.outputs[k], v);
        channelsLast.set(outId, layout);
        tracedShapes.set(outId, v.tensor.shape);
        scratch.push(v.tensor);
      });
    });
    const outputs = new Map<string, OnnxOutputSource>();
    for (const o of record.outputs) {
      const c = constants.get(o.name);
      if (c) outputs.set(o.name, { constant: c.tensor });
      else if (ids.has(o.name)) outputs.set(o.name, { id: ids.get(o.name) as string, channelsLast: channelsLast.get(ids.get(o.name) as string) ?? false });
      else throw new LumenError('model', `${what}: graph output '${o.name}' is produced by no node`);
    }
    tf.dispose(scratch.filter((t) => !inputTensors.has(t)));
    return { record, nodes, channelsLast, inputIds, outputs, tracedShapes, valueIds: ids, dispose };
  } catch (e) {
    tf.dispose(scratch.filter((t) => !inputTensors.has(t)));
    dispose();
    throw e;
  }
}

/**
 * Runs an imported program on feeds (ONNX input name → tensor in the layout it was traced with)
 * and returns every graph output in ONNX layout. For multi-input graphs (conformance tests); a
 * Lumen Model runs through `executeGraph` instead.
 */
export function runOnnxProgram(program: OnnxProgram, feeds: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor> {
  const values = new Map<string, tf.Tensor>();
  for (const [name, id] of program.inputIds) {
    const t = feeds.get(name);
    check(t !== undefined, 'input', () => `runOnnxProgram: input '${name}' is missing`);
    values.set(id, t);
  }
  for (const node of program.nodes) values.set(node.name, node.apply(node.inputs.map((i) => values.get(i) as tf.Tensor)));
  const out = new Map<string, tf.Tensor>();
  for (const [name, src] of program.outputs) {
    if ('constant' in src) out.set(name, src.constant.clone());
    else {
      const t = values.get(src.id) as tf.Tensor;
      out.set(name, src.channelsLast ? tf.transpose(t, fromChannelsLastPerm(t.rank)) : t);
    }
  }
  return out;
}
