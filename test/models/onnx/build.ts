/** Builds small ONNX files for the importer's tests, encoded by protobufjs from Lumen's schema. */
import protobuf from 'protobufjs';
import { ONNX_PROTO } from '../../../src/models/onnx/onnx-proto.js';

const root = protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
const ModelProto = root.lookupType('onnx.ModelProto');

export interface TestTensor {
  name: string;
  dims: number[];
  data: number[];
  type?: 'float' | 'int64';
}

export interface TestNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, number | number[] | string | { floats: number[] } | { f: number }>;
}

export interface TestGraph {
  nodes: TestNode[];
  inputs: Array<{ name: string; shape: Array<number | string> }>;
  outputs: string[];
  initializers?: TestTensor[];
  opset?: number;
}

function tensorProto(t: TestTensor): Record<string, unknown> {
  if (t.type === 'int64') return { name: t.name, dims: t.dims, data_type: 7, int64_data: t.data };
  return { name: t.name, dims: t.dims, data_type: 1, raw_data: new Uint8Array(Float32Array.from(t.data).buffer) };
}

function attribute(name: string, v: NonNullable<TestNode['attrs']>[string]): Record<string, unknown> {
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: 2, i: v } : { name, type: 1, f: v };
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  if ('floats' in v) return { name, type: 6, floats: v.floats };
  return { name, type: 1, f: v.f };
}

/** The bytes of a ModelProto for `graph` (IR version 8). */
export function onnxBytes(graph: TestGraph, extra: Record<string, unknown> = {}): Uint8Array {
  const msg = {
    ir_version: 8,
    producer_name: 'lumen-test',
    opset_import: [{ domain: '', version: graph.opset ?? 13 }],
    graph: {
      name: 'g',
      node: graph.nodes.map((n, i) => ({
        name: n.name ?? `n${i}`,
        op_type: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: (graph.initializers ?? []).map(tensorProto),
      input: graph.inputs.map((i) => ({
        name: i.name,
        type: { tensor_type: { elem_type: 1, shape: { dim: i.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } },
      })),
      output: graph.outputs.map((name) => ({ name, type: { tensor_type: { elem_type: 1 } } })),
    },
    ...extra,
  };
  return ModelProto.encode(ModelProto.fromObject(msg)).finish();
}

/** Raw encoding of any ModelProto-shaped object (for hostile files). */
export function encodeModelProto(msg: Record<string, unknown>): Uint8Array {
  return ModelProto.encode(ModelProto.fromObject(msg)).finish();
}
