/**
 * The versions of every ONNX op Lumen imports: the operator-set numbers at which the op's
 * definition changed (`since_version` of each schema in ONNX's operator changelog, default
 * domain, opsets 1–20; checked against onnx 1.12's `onnx.defs` for opsets ≤ 17). An op at opset
 * `n` follows the definition of the largest version ≤ `n`.
 */
export const ONNX_OP_VERSIONS: Readonly<Record<string, readonly number[]>> = {
  Abs: [1, 6, 13],
  Add: [1, 6, 7, 13, 14],
  AveragePool: [1, 7, 10, 11, 19],
  BatchNormalization: [1, 6, 7, 9, 14, 15],
  Cast: [1, 6, 9, 13, 19],
  Clip: [1, 6, 11, 12, 13],
  Concat: [1, 4, 11, 13],
  Constant: [1, 9, 11, 12, 13, 19],
  ConstantOfShape: [9, 20],
  Conv: [1, 11],
  ConvTranspose: [1, 11],
  Div: [1, 6, 7, 13, 14],
  Dropout: [1, 6, 7, 10, 12, 13],
  Elu: [1, 6],
  Equal: [1, 7, 11, 13, 19],
  Erf: [9, 13],
  Exp: [1, 6, 13],
  Expand: [8, 13],
  Flatten: [1, 9, 11, 13],
  Gather: [1, 11, 13],
  Gelu: [20],
  Gemm: [1, 6, 7, 9, 11, 13],
  GlobalAveragePool: [1],
  GlobalMaxPool: [1],
  Greater: [1, 7, 9, 13],
  GreaterOrEqual: [12, 16],
  HardSigmoid: [1, 6],
  HardSwish: [14],
  Identity: [1, 13, 14, 16, 19],
  InstanceNormalization: [1, 6],
  LayerNormalization: [17],
  LeakyRelu: [1, 6, 16],
  Less: [1, 7, 9, 13],
  LessOrEqual: [12, 16],
  Log: [1, 6, 13],
  LogSoftmax: [1, 11, 13],
  MatMul: [1, 9, 13],
  MaxPool: [1, 8, 10, 11, 12],
  Mul: [1, 6, 7, 13, 14],
  Neg: [1, 6, 13],
  Not: [1],
  PRelu: [1, 6, 7, 9, 16],
  Pad: [1, 2, 11, 13, 18, 19],
  Pow: [1, 7, 12, 13, 15],
  Range: [11],
  ReduceMax: [1, 11, 12, 13, 18, 20],
  ReduceMean: [1, 11, 13, 18],
  ReduceSum: [1, 11, 13],
  Relu: [1, 6, 13, 14],
  Reshape: [1, 5, 13, 14, 19],
  Resize: [10, 11, 13, 18, 19],
  Selu: [1, 6],
  Shape: [1, 13, 15, 19],
  Sigmoid: [1, 6, 13],
  Slice: [1, 10, 11, 13],
  Softmax: [1, 11, 13],
  Split: [1, 2, 11, 13, 18],
  Sqrt: [1, 6, 13],
  Squeeze: [1, 11, 13],
  Sub: [1, 6, 7, 13, 14],
  Tanh: [1, 6, 13],
  Tile: [1, 6, 13],
  Transpose: [1, 13],
  Unsqueeze: [1, 11, 13],
  Upsample: [1, 7, 9, 10],
  Where: [9, 16],
};

/** The version of `op`'s definition in force at operator set `opset` (null: the op does not exist yet, or is unknown). */
export function onnxOpVersion(op: string, opset: number): number | null {
  const versions = Object.hasOwn(ONNX_OP_VERSIONS, op) ? ONNX_OP_VERSIONS[op] : [];
  let found: number | null = null;
  for (const v of versions) if (v <= opset) found = v;
  return found;
}
