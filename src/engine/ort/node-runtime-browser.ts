import { LumenError } from '../../core/errors.js';
import type { OnnxRuntime } from './onnx-runtime-type.js';

/** In browser bundles (package.json's `browser` field): no default onnxruntime, `setOnnxRuntime` chooses it. */
export async function nodeRuntime(): Promise<OnnxRuntime> {
  throw new LumenError('backend', 'onnxruntime engine: in a browser, call setOnnxRuntime({ InferenceSession, Tensor, threads }) with onnxruntime-web first');
}
