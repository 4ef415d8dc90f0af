/**
 * ONNX protobuf → plain, validated records. The bytes are decoded by the protobufjs static module
 * generated from the schema in onnx-proto.ts (`onnx-pb.js`; no hand-written wire decoder, no eval);
 * everything read from the file is then checked before it is used: sizes against the bytes actually present and against fixed limits, so a
 * corrupt, truncated or hostile file is a LumenError, never a crash or an unbounded allocation.
 */
import { check, LumenError } from '../../core/errors.js';
import { onnx } from './onnx-pb.js';

/** The default-domain operator sets Lumen imports. */
export const ONNX_MIN_OPSET = 7;
export const ONNX_MAX_OPSET = 20;

/** The largest tensor (elements) Lumen creates from a file or a shape computed from one: 2^28. */
export const ONNX_MAX_ELEMENTS = 2 ** 28;
/** The largest rank Lumen accepts for a tensor of an ONNX file. */
export const ONNX_MAX_RANK = 8;
/** The largest number of nodes, initializers or graph inputs/outputs in one ONNX graph. */
export const ONNX_MAX_ITEMS = 1_000_000;

/** A tensor's element type as tfjs holds it (int64 → int32, float64/float16 → float32). */
export type OnnxTensorType = 'float32' | 'int32' | 'bool';

/** A decoded ONNX tensor: data in the tfjs dtype it maps to, with its shape. */
export interface OnnxTensorData {
  readonly name: string;
  readonly dtype: OnnxTensorType;
  readonly shape: readonly number[];
  readonly values: Float32Array | Int32Array | Uint8Array;
  /** The ONNX data type code (1 float, 6 int32, 7 int64, 9 bool, 10 float16, 11 double …). */
  readonly onnxType: number;
}

/** One attribute value of a node, already converted (ints as numbers, strings as text). */
export type OnnxAttributeValue = number | string | readonly number[] | readonly string[] | OnnxTensorData | { readonly graph: true };

/** A node of the ONNX graph. */
export interface OnnxNodeRecord {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttributeValue>;
  /** Each attribute's AttributeProto type (1 float, 2 int, 3 string, 4 tensor, 6 floats, 7 ints …), for re-encoding. */
  readonly attributeTypes?: ReadonlyMap<string, number>;
}

/** A graph input or output: its name, element type code and shape (null for a symbolic dimension). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: number;
  readonly shape: readonly (number | null)[] | null;
}

/** A decoded and validated ONNX model. */
export interface OnnxModelRecord {
  readonly irVersion: number;
  /** The version of the default ('' / 'ai.onnx') operator set. */
  readonly opset: number;
  readonly producer: string;
  readonly graphName: string;
  readonly nodes: readonly OnnxNodeRecord[];
  readonly initializers: ReadonlyMap<string, OnnxTensorData>;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

/** The decoders generated from onnx-proto.ts (`npm run onnx-decoder`): no code is built at run time. */
const DECODERS = { TensorProto: onnx.TensorProto, ModelProto: onnx.ModelProto } as const;

type Long = { low: number; high: number; unsigned?: boolean; toNumber?: () => number };
type Int64 = number | Long | string;

/** An int64 read by protobufjs (number or Long) as a JS number (saturating beyond ±2^53). */
function toNumber(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  if (typeof v.toNumber === 'function') return v.toNumber();
  return v.high * 2 ** 32 + (v.low >>> 0);
}

function decodeMessage<T>(type: keyof typeof DECODERS, bytes: Uint8Array, what: string): T {
  try {
    return DECODERS[type].decode(bytes) as unknown as T;
  } catch (e) {
    const msg = (e instanceof RangeError && /call stack/.test(e.message)) || /max depth/.test((e as Error).message) ? 'nesting too deep' : (e as Error).message;
    throw new LumenError('file', `${what}: expected an ONNX ${type} (protobuf); the bytes do not decode: ${msg}`);
  }
}

interface RawTensor {
  dims?: Int64[];
  data_type?: number;
  segment?: unknown;
  float_data?: number[];
  int32_data?: number[];
  string_data?: Uint8Array[];
  int64_data?: Int64[];
  name?: string;
  raw_data?: Uint8Array;
  double_data?: number[];
  uint64_data?: Int64[];
  external_data?: Array<{ key?: string; value?: string }>;
  data_location?: number;
}

const ELEMENT_BYTES: Readonly<Record<number, number>> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };
const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'undefined', 1: 'float', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'double', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

/** The name of an ONNX data type code (for messages). */
export function onnxTypeName(code: number): string {
  return TYPE_NAMES[code] ?? `type ${code}`;
}

/** The tfjs dtype an ONNX element type maps to, or null when tfjs has none (strings, complex, float8 …). */
export function tfjsTypeOf(code: number): OnnxTensorType | null {
  if (code === 1 || code === 10 || code === 11 || code === 16) return 'float32';
  if (code === 9) return 'bool';
  if ([2, 3, 4, 5, 6, 7, 12, 13].includes(code)) return 'int32';
  return null;
}

/** Checks a shape read from a file: a few non-negative integer dimensions with a bounded product. */
export function checkOnnxShape(shape: readonly number[], what: string): number {
  check(shape.length <= ONNX_MAX_RANK, 'file', () => `${what}: expected a rank ≤ ${ONNX_MAX_RANK}; found rank ${shape.length}`);
  let size = 1;
  for (const d of shape) {
    check(Number.isInteger(d) && d >= 0, 'file', () => `${what}: expected non-negative integer dimensions; found [${shape.join(', ')}]`);
    size *= d;
    check(size <= ONNX_MAX_ELEMENTS, 'file', () => `${what}: shape [${shape.join(', ')}] has more than ${ONNX_MAX_ELEMENTS} elements, Lumen's limit`);
  }
  return size;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Converts a decoded TensorProto into tfjs-ready data, checking every size against the bytes present. */
function tensorData(raw: RawTensor, what: string): OnnxTensorData {
  const name = raw.name ?? '';
  const where = `${what}${name ? ` '${name}'` : ''}`;
  check(!(raw.data_location === 1 || (raw.external_data?.length ?? 0) > 0), 'file', () =>
    `${where}: its data is stored in an external file (data_location EXTERNAL); Lumen loads self-contained ONNX files only — re-save the model with all tensors inside it`);
  check(raw.segment == null, 'file', () => `${where}: segmented tensors are not supported`);
  const code = raw.data_type ?? 0;
  const dtype = tfjsTypeOf(code);
  check(dtype !== null, 'file', () => `${where}: element type ${onnxTypeName(code)} has no tfjs equivalent (Lumen reads float, double, float16, bfloat16, bool and integer tensors)`);
  const shape = (raw.dims ?? []).map(toNumber);
  const size = checkOnnxShape(shape, where);
  const out = dtype === 'float32' ? new Float32Array(size) : dtype === 'int32' ? new Int32Array(size) : new Uint8Array(size);
  const rawData = raw.raw_data;
  if (rawData && rawData.length > 0) {
    const bytes = ELEMENT_BYTES[code];
    check(rawData.length === size * bytes, 'file', () =>
      `${where}: shape [${shape.join(', ')}] of ${onnxTypeName(code)} needs ${size * bytes} bytes; raw_data holds ${rawData.length}`);
    if (code === 1 || code === 6) {
      new Uint8Array(out.buffer).set(rawData);
      return { name, dtype, shape, values: out, onnxType: code };
    }
    const view = new DataView(rawData.buffer, rawData.byteOffset, rawData.byteLength);
    for (let i = 0; i < size; i++) out[i] = readElement(view, code, i);
    return { name, dtype, shape, values: out, onnxType: code };
  }
  const field = typedField(raw, code);
  check(field.length === size || (size === 0 && field.length === 0), 'file', () =>
    `${where}: shape [${shape.join(', ')}] has ${size} elements; the file holds ${field.length}`);
  for (let i = 0; i < size; i++) {
    const v = field[i];
    out[i] = code === 10 ? halfToFloat(toNumber(v)) : code === 16 ? bfloatToFloat(toNumber(v)) : dtype === 'bool' ? (toNumber(v) ? 1 : 0) : toNumber(v);
  }
  if (dtype === 'int32') clampInts(out as Int32Array, field);
  return { name, dtype, shape, values: out, onnxType: code };
}

function bfloatToFloat(v: number): number {
  const f = new Float32Array(1);
  new Uint32Array(f.buffer)[0] = (v & 0xffff) << 16;
  return f[0];
}

/** int64 values outside int32 saturate (e.g. INT64_MAX as a Slice end) instead of wrapping. */
function clampInts(out: Int32Array, field: ArrayLike<Int64 | number>): void {
  for (let i = 0; i < out.length; i++) {
    const v = toNumber(field[i] as Int64);
    out[i] = v > 2147483647 ? 2147483647 : v < -2147483648 ? -2147483648 : v;
  }
}

function typedField(raw: RawTensor, code: number): ArrayLike<Int64 | number> {
  switch (code) {
    case 1: return raw.float_data ?? [];
    case 11: return raw.double_data ?? [];
    case 7: return raw.int64_data ?? [];
    case 12: case 13: return raw.uint64_data ?? [];
    default: return raw.int32_data ?? [];
  }
}

function readElement(view: DataView, code: number, i: number): number {
  switch (code) {
    case 1: return view.getFloat32(i * 4, true);
    case 11: return view.getFloat64(i * 8, true);
    case 10: return halfToFloat(view.getUint16(i * 2, true));
    case 16: return bfloatToFloat(view.getUint16(i * 2, true));
    case 2: return view.getUint8(i);
    case 3: return view.getInt8(i);
    case 4: return view.getUint16(i * 2, true);
    case 5: return view.getInt16(i * 2, true);
    case 6: return view.getInt32(i * 4, true);
    case 12: return Math.min(view.getUint32(i * 4, true), 2147483647);
    case 9: return view.getUint8(i) ? 1 : 0;
    case 7: case 13: {
      const v = code === 7 ? view.getBigInt64(i * 8, true) : view.getBigUint64(i * 8, true);
      return v > 2147483647n ? 2147483647 : v < -2147483648n ? -2147483648 : Number(v);
    }
    default: throw new LumenError('file', `ONNX tensor: element type ${onnxTypeName(code)} cannot be read`);
  }
}

/** Decodes one serialized TensorProto (the `.pb` files of ONNX's test data) into tfjs-ready data. */
export function decodeOnnxTensor(bytes: Uint8Array, what = 'ONNX tensor'): OnnxTensorData {
  return tensorData(decodeMessage<RawTensor>('TensorProto', bytes, what), what);
}

interface RawAttribute {
  name?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: RawTensor;
  g?: unknown;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: RawTensor[];
  graphs?: unknown[];
  ref_attr_name?: string;
}

const text = new TextDecoder('utf-8', { fatal: false });

function attributeValue(a: RawAttribute, where: string): OnnxAttributeValue {
  const name = a.name ?? '';
  check(!a.ref_attr_name, 'file', () => `${where}: attribute '${name}' refers to a function attribute; functions are not supported`);
  switch (a.type ?? inferAttributeType(a)) {
    case 1: return a.f ?? 0;
    case 2: return toNumber(a.i);
    case 3: return text.decode(a.s ?? new Uint8Array(0));
    case 4: return tensorData(a.t ?? {}, `${where}: attribute '${name}'`);
    case 5: return { graph: true };
    case 6: return Array.from(a.floats ?? []);
    case 7: return (a.ints ?? []).map(toNumber);
    case 8: return (a.strings ?? []).map((s) => text.decode(s));
    case 10: return { graph: true };
    default:
      throw new LumenError('file', `${where}: attribute '${name}' has type ${a.type}, which Lumen does not read (sparse tensors, tensor lists and type protos are not supported)`);
  }
}

/** Old files may leave AttributeProto.type unset: infer it from the field present. */
function inferAttributeType(a: RawAttribute): number {
  if (a.floats?.length) return 6;
  if (a.ints?.length) return 7;
  if (a.strings?.length) return 8;
  if (a.t) return 4;
  if (a.g) return 5;
  if (a.s?.length) return 3;
  if (a.i !== undefined && toNumber(a.i) !== 0) return 2;
  return 1;
}

interface RawValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: Array<{ dim_value?: Int64; dim_param?: string }> } } };
}

function valueInfo(v: RawValueInfo): OnnxValueInfo {
  const t = v.type?.tensor_type;
  const dims = t?.shape?.dim;
  return {
    name: v.name ?? '',
    elemType: t?.elem_type ?? 0,
    shape: dims ? dims.map((d) => (d.dim_value !== undefined && d.dim_value !== null && !d.dim_param ? toNumber(d.dim_value) : null)) : null,
  };
}

interface RawModel {
  ir_version?: Int64;
  producer_name?: string;
  graph?: {
    name?: string;
    node?: Array<{ input?: string[]; output?: string[]; name?: string; op_type?: string; domain?: string; attribute?: RawAttribute[] }>;
    initializer?: RawTensor[];
    input?: RawValueInfo[];
    output?: RawValueInfo[];
  };
  opset_import?: Array<{ domain?: string; version?: Int64 }>;
}

/**
 * Decodes and validates the bytes of an ONNX model: protobuf structure, IR version, the default
 * operator set's version, node and value names, and every initializer's size against its bytes.
 * `what` names the source in messages.
 */
export function decodeOnnxModel(bytes: Uint8Array, what = 'ONNX model'): OnnxModelRecord {
  check(bytes.length > 0, 'file', () => `${what}: expected an ONNX model; found an empty file`);
  const raw = decodeMessage<RawModel>('ModelProto', bytes, what);
  const irVersion = toNumber(raw.ir_version);
  check(irVersion >= 3 && irVersion <= 11, 'file', () =>
    `${what}: expected an ONNX model (IR version 3–11); found IR version ${irVersion}${irVersion === 0 ? ' (not an ONNX file, or a truncated one)' : ''}`);
  const g = raw.graph;
  check(g && (g.node?.length ?? 0) > 0, 'file', () => `${what}: expected an ONNX graph with nodes; found none (truncated file?)`);
  const defaultSet = (raw.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = defaultSet ? toNumber(defaultSet.version) : 1;
  for (const [k, n] of [['nodes', g.node?.length ?? 0], ['initializers', g.initializer?.length ?? 0], ['inputs', g.input?.length ?? 0]] as const) {
    check(n <= ONNX_MAX_ITEMS, 'file', () => `${what}: ${n} ${k} is more than Lumen's limit of ${ONNX_MAX_ITEMS}`);
  }
  const initializers = new Map<string, OnnxTensorData>();
  for (const t of g.initializer ?? []) {
    const data = tensorData(t, `${what}: initializer`);
    check(data.name !== '', 'file', () => `${what}: an initializer has no name`);
    initializers.set(data.name, data);
  }
  const nodes = (g.node ?? []).map((n, i): OnnxNodeRecord => {
    const where = `${what}: node ${n.name ? `'${n.name}'` : `#${i}`} (${n.op_type ?? '?'})`;
    check(typeof n.op_type === 'string' && n.op_type !== '', 'file', () => `${where}: expected an op_type; found none`);
    check((n.output?.length ?? 0) > 0, 'file', () => `${where}: expected at least one output; found none`);
    const attributes = new Map<string, OnnxAttributeValue>();
    const attributeTypes = new Map<string, number>();
    for (const a of n.attribute ?? []) {
      attributes.set(a.name ?? '', attributeValue(a, where));
      attributeTypes.set(a.name ?? '', a.type ?? inferAttributeType(a));
    }
    return { name: n.name ?? '', opType: n.op_type, domain: n.domain ?? '', inputs: n.input ?? [], outputs: n.output ?? [], attributes, attributeTypes };
  });
  const inputs = (g.input ?? []).map(valueInfo);
  const outputs = (g.output ?? []).map(valueInfo);
  check(outputs.length > 0, 'file', () => `${what}: the graph declares no outputs`);
  return { irVersion, opset, producer: raw.producer_name ?? '', graphName: g.name ?? '', nodes, initializers, inputs, outputs };
}
