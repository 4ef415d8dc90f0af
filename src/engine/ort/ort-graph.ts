/**
 * The graph the onnxruntime executor builds and encodes: ONNX nodes over named values, with
 * typed attributes and initializers, before it becomes protobuf bytes (encode-onnx.ts).
 */

/** An ONNX element type Lumen writes: float, int32, int64, bool. */
export type OrtElemType = 1 | 6 | 7 | 9;

/** A constant tensor (an initializer or a Constant's value). Int64 values are held as numbers. */
export interface OrtTensor {
  readonly name: string;
  readonly type: OrtElemType;
  readonly dims: readonly number[];
  readonly values: Float32Array | Int32Array | Uint8Array | readonly number[];
}

/** A typed attribute value, as ONNX's AttributeProto holds it. */
export type OrtAttribute =
  | { readonly i: number }
  | { readonly f: number }
  | { readonly s: string }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly t: OrtTensor };

/** One ONNX node. */
export interface OrtNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs?: Readonly<Record<string, OrtAttribute>>;
  readonly domain?: string;
}

/** A graph input or output: a dimension is a number or a symbolic name; no dims, an unknown shape. */
export interface OrtValueInfo {
  readonly name: string;
  readonly type: OrtElemType;
  readonly dims?: readonly (number | string)[];
}

/** A whole ONNX graph with its opset. */
export interface OrtGraph {
  readonly opset: number;
  readonly nodes: readonly OrtNode[];
  readonly initializers: ReadonlyMap<string, OrtTensor>;
  readonly inputs: readonly OrtValueInfo[];
  readonly outputs: readonly OrtValueInfo[];
}
