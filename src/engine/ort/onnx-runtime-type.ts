import type { InferenceSession, Tensor } from 'onnxruntime-common';

/** What the engine needs of an onnxruntime package (onnxruntime-node, or onnxruntime-web in browsers). */
export interface OnnxRuntime {
  readonly InferenceSession: { create(bytes: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;
  /** intraOpNumThreads for every session (the machine's cores). */
  readonly threads: number;
}
