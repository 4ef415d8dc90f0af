/** Every ONNX op Lumen imports, by op type (default domain). Adding an op: one handler in a family file here. */
import type { OnnxOpHandler } from '../values.js';
import { ONNX_CONV_OPS } from './conv.js';
import { ONNX_ELEMENTWISE_OPS } from './elementwise.js';
import { ONNX_NORM_OPS } from './norm.js';
import { ONNX_POOL_OPS } from './pool.js';
import { ONNX_RESIZE_OPS } from './resize.js';
import { ONNX_TENSOR_OPS } from './tensor.js';

/** The ONNX ops Lumen's importer implements with tfjs ops, by op type. */
export const ONNX_OPS: Readonly<Record<string, OnnxOpHandler>> = {
  ...ONNX_ELEMENTWISE_OPS,
  ...ONNX_CONV_OPS,
  ...ONNX_POOL_OPS,
  ...ONNX_NORM_OPS,
  ...ONNX_TENSOR_OPS,
  ...ONNX_RESIZE_OPS,
};

/** Whether Lumen imports an op (`domain` '' or 'ai.onnx'). */
export function onnxOpSupported(opType: string, domain = ''): boolean {
  return (domain === '' || domain === 'ai.onnx') && Object.hasOwn(ONNX_OPS, opType);
}
