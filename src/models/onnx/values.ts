/**
 * What an ONNX op implementation sees: values with their layout, the node's attributes, and helpers
 * for reading shape-like inputs. Layout: ONNX tensors are channels-first (NCHW); tfjs convolutions
 * and pools are channels-last. A value with `channelsLast` holds the ONNX tensor transposed by
 * [0, 2, …, r−1, 1]; ops that can work in that layout (elementwise ops, convolutions, pools,
 * normalisations, pads, resizes, concatenations, reductions with kept axes) keep it, the others ask
 * for the ONNX (logical) layout. So a conv stack is transposed once on the way in and once out.
 */
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../../core/errors.js';
import { ONNX_MAX_ELEMENTS, type OnnxAttributeValue, type OnnxTensorData } from './decode.js';

/** A runtime value of an imported ONNX graph. */
export interface OnnxValue {
  readonly tensor: tf.Tensor;
  /** Whether `tensor` is the ONNX tensor in channels-last order (rank ≥ 3 only). */
  readonly channelsLast: boolean;
}

/** The call of one ONNX node: its name, op, opset, attributes and inputs (null where omitted). */
export interface OnnxOpCall {
  readonly node: string;
  readonly opType: string;
  readonly opset: number;
  readonly attrs: OnnxAttributes;
  readonly inputs: readonly (OnnxValue | null)[];
  /** Which inputs are constants of the file (initializers or folded constants). */
  readonly constant: readonly boolean[];
  /** How many outputs the node declares. */
  readonly outputCount: number;
  /** Per-node cache for tensors derived from constant inputs (e.g. transposed conv filters). */
  readonly cache: Map<string, tf.Tensor>;
}

/** An ONNX op implemented with tfjs ops: returns one value per declared output (null if not produced). */
export type OnnxOpHandler = (call: OnnxOpCall) => (OnnxValue | null)[];

/** A value in ONNX (channels-first) layout. */
export function onnxPlain(tensor: tf.Tensor): OnnxValue {
  return { tensor, channelsLast: false };
}

/** A value whose tensor is in channels-last layout. */
export function onnxChannelsLast(tensor: tf.Tensor): OnnxValue {
  return { tensor, channelsLast: tensor.rank >= 3 };
}

/** The permutation from ONNX layout to channels-last for rank r: [0, 2, …, r−1, 1]. */
export function toChannelsLastPerm(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

/** The permutation from channels-last back to ONNX layout for rank r: [0, r−1, 1, …, r−2]. */
export function fromChannelsLastPerm(rank: number): number[] {
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

/** The value's tensor in ONNX layout. */
export function onnxLogical(v: OnnxValue): tf.Tensor {
  return v.channelsLast ? tf.transpose(v.tensor, fromChannelsLastPerm(v.tensor.rank)) : v.tensor;
}

/** The value's tensor in channels-last layout (rank ≥ 3). */
export function onnxToChannelsLast(v: OnnxValue): tf.Tensor {
  return v.channelsLast || v.tensor.rank < 3 ? v.tensor : tf.transpose(v.tensor, toChannelsLastPerm(v.tensor.rank));
}

/** The ONNX (logical) shape of a value. */
export function onnxShape(v: OnnxValue): number[] {
  const s = v.tensor.shape;
  return v.channelsLast ? fromChannelsLastPerm(s.length).map((p) => s[p]) : s.slice();
}

/** Where logical axis `axis` (non-negative) of a rank-r value lives in its tensor. */
export function onnxPhysicalAxis(v: OnnxValue, axis: number): number {
  if (!v.channelsLast) return axis;
  const r = v.tensor.rank;
  return axis === 0 ? 0 : axis === 1 ? r - 1 : axis - 1;
}

/** Normalises a possibly negative axis for rank r, checking its range. */
export function onnxAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  check(Number.isInteger(a) && a >= 0 && a < Math.max(rank, 1), 'model', () => `${what}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Reads a small integer tensor (a shape, axes, pads …) as numbers. */
export function onnxInts(v: OnnxValue | null, what: string): number[] {
  check(v !== null, 'model', () => `${what}: a required input is missing`);
  check(v.tensor.size <= 4096, 'model', () => `${what}: expected a short integer vector; found ${v.tensor.size} values`);
  return Array.from(v.tensor.dataSync(), (x) => Math.trunc(Number(x)));
}

/** Reads a small float tensor (scales, a scalar) as numbers. */
export function onnxFloats(v: OnnxValue | null, what: string): number[] {
  check(v !== null, 'model', () => `${what}: a required input is missing`);
  check(v.tensor.size <= 4096, 'model', () => `${what}: expected a short vector; found ${v.tensor.size} values`);
  return Array.from(v.tensor.dataSync(), Number);
}

/** Checks a shape computed at run time (Reshape, Expand, ConstantOfShape, Range …) before allocating it. */
export function onnxCheckSize(shape: readonly number[], what: string): void {
  let size = 1;
  for (const d of shape) {
    check(Number.isInteger(d) && d >= 0, 'model', () => `${what}: invalid shape [${shape.join(', ')}]`);
    size *= d;
  }
  check(size <= ONNX_MAX_ELEMENTS, 'model', () => `${what}: shape [${shape.join(', ')}] has more than ${ONNX_MAX_ELEMENTS} elements, Lumen's limit`);
}

/** A node's attributes with typed getters; each getter fails with a LumenError naming the node. */
export class OnnxAttributes {
  constructor(private readonly map: ReadonlyMap<string, OnnxAttributeValue>, private readonly where: string) {}

  has(name: string): boolean {
    return this.map.has(name);
  }

  int(name: string, fallback: number): number {
    const v = this.map.get(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'number') throw this.wrong(name, 'an integer', v);
    return Math.trunc(v);
  }

  float(name: string, fallback: number): number {
    const v = this.map.get(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'number') throw this.wrong(name, 'a number', v);
    return v;
  }

  string(name: string, fallback: string): string {
    const v = this.map.get(name);
    if (v === undefined) return fallback;
    if (typeof v !== 'string') throw this.wrong(name, 'a string', v);
    return v;
  }

  ints(name: string): number[] | undefined {
    const v = this.map.get(name);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw this.wrong(name, 'a list of integers', v);
    return (v as number[]).map(Math.trunc);
  }

  floats(name: string): number[] | undefined {
    const v = this.map.get(name);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw this.wrong(name, 'a list of numbers', v);
    return v as number[];
  }

  tensor(name: string): OnnxTensorData | undefined {
    const v = this.map.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || Array.isArray(v) || !('values' in v)) throw this.wrong(name, 'a tensor', v);
    return v as OnnxTensorData;
  }

  /** Fails when the node sets an attribute to a value Lumen does not implement. */
  unsupported(message: string): LumenError {
    return new LumenError('model', `${this.where}: ${message}`);
  }

  private wrong(name: string, expected: string, found: unknown): LumenError {
    return new LumenError('model', `${this.where}: attribute '${name}' must be ${expected}; found ${JSON.stringify(found)?.slice(0, 60)}`);
  }
}

/** Makes a tfjs tensor from decoded ONNX data. */
export function onnxTensorOf(data: OnnxTensorData): tf.Tensor {
  return tf.tensor(data.values, data.shape.slice(), data.dtype);
}
