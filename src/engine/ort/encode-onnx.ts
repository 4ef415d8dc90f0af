import protobuf from 'protobufjs/minimal.js';
import type { OrtAttribute, OrtGraph, OrtNode, OrtTensor, OrtValueInfo } from './ort-graph.js';

type Writer = protobuf.Writer;

/** Field tag: number << 3 | wire type (0 varint, 2 length-delimited, 5 fixed32). */
const tag = (field: number, wire: 0 | 2 | 5): number => (field << 3) | wire;

function message(w: Writer, field: number, body: (w: Writer) => void): void {
  w.uint32(tag(field, 2)).fork();
  body(w);
  w.ldelim();
}

function tensor(w: Writer, t: OrtTensor): void {
  for (const d of t.dims) w.uint32(tag(1, 0)).int64(d);
  w.uint32(tag(2, 0)).int32(t.type);
  if (t.name) w.uint32(tag(8, 2)).string(t.name);
  const n = t.values.length;
  let raw: Uint8Array;
  if (t.type === 1) raw = new Uint8Array(Float32Array.from(t.values as ArrayLike<number>).buffer);
  else if (t.type === 6) raw = new Uint8Array(Int32Array.from(t.values as ArrayLike<number>).buffer);
  else if (t.type === 9) raw = Uint8Array.from(t.values as ArrayLike<number>, (v) => (v ? 1 : 0));
  else {
    const big = new BigInt64Array(n);
    for (let i = 0; i < n; i++) big[i] = BigInt(Math.trunc((t.values as ArrayLike<number>)[i]));
    raw = new Uint8Array(big.buffer);
  }
  w.uint32(tag(9, 2)).bytes(raw);
}

function attribute(w: Writer, name: string, a: OrtAttribute): void {
  w.uint32(tag(1, 2)).string(name);
  if ('f' in a) w.uint32(tag(2, 5)).float(a.f).uint32(tag(20, 0)).int32(1);
  else if ('i' in a) w.uint32(tag(3, 0)).int64(a.i).uint32(tag(20, 0)).int32(2);
  else if ('s' in a) w.uint32(tag(4, 2)).bytes(new TextEncoder().encode(a.s)).uint32(tag(20, 0)).int32(3);
  else if ('t' in a) {
    message(w, 5, (m) => tensor(m, a.t));
    w.uint32(tag(20, 0)).int32(4);
  } else if ('floats' in a) {
    for (const f of a.floats) w.uint32(tag(7, 5)).float(f);
    w.uint32(tag(20, 0)).int32(6);
  } else {
    for (const i of a.ints) w.uint32(tag(8, 0)).int64(i);
    w.uint32(tag(20, 0)).int32(7);
  }
}

function node(w: Writer, n: OrtNode, index: number): void {
  for (const i of n.inputs) w.uint32(tag(1, 2)).string(i);
  for (const o of n.outputs) w.uint32(tag(2, 2)).string(o);
  w.uint32(tag(3, 2)).string(`${n.op}_${index}`);
  w.uint32(tag(4, 2)).string(n.op);
  for (const [k, a] of Object.entries(n.attrs ?? {})) message(w, 5, (m) => attribute(m, k, a));
  if (n.domain) w.uint32(tag(7, 2)).string(n.domain);
}

function valueInfo(w: Writer, v: OrtValueInfo): void {
  w.uint32(tag(1, 2)).string(v.name);
  message(w, 2, (type) => message(type, 1, (t) => {
    t.uint32(tag(1, 0)).int32(v.type);
    const dims = v.dims;
    if (dims) message(t, 2, (shape) => {
      for (const d of dims) message(shape, 1, (dim) => (typeof d === 'number' ? dim.uint32(tag(1, 0)).int64(d) : dim.uint32(tag(2, 2)).string(d)));
    });
  }));
}

/** Encodes a graph as the bytes of an ONNX ModelProto (IR version 8, the graph's default-domain opset). */
export function encodeOnnx(graph: OrtGraph): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(tag(1, 0)).int64(8);
  w.uint32(tag(2, 2)).string('lumen');
  message(w, 7, (g) => {
    graph.nodes.forEach((n, i) => message(g, 1, (m) => node(m, n, i)));
    g.uint32(tag(2, 2)).string('lumen');
    for (const t of graph.initializers.values()) message(g, 5, (m) => tensor(m, t));
    for (const v of graph.inputs) message(g, 11, (m) => valueInfo(m, v));
    for (const v of graph.outputs) message(g, 12, (m) => valueInfo(m, v));
  });
  message(w, 8, (o) => o.uint32(tag(1, 2)).string('').uint32(tag(2, 0)).int64(graph.opset));
  return w.finish();
}
