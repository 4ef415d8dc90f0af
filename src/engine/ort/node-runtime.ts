import { availableParallelism } from 'node:os';
import { LumenError } from '../../core/errors.js';
import type { OnnxRuntime } from './onnx-runtime-type.js';

/** onnxruntime-node with one intra-op thread per core (Node only; loaded on first use). */
export async function nodeRuntime(): Promise<OnnxRuntime> {
  let ort: Omit<OnnxRuntime, 'threads'>;
  try {
    ort = (await import('onnxruntime-node')) as unknown as Omit<OnnxRuntime, 'threads'>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND') {
      throw new LumenError('backend', "onnxruntime engine: expected the optional package 'onnxruntime-node' (npm install onnxruntime-node); found it not installed");
    }
    throw e;
  }
  return { InferenceSession: ort.InferenceSession, Tensor: ort.Tensor, threads: availableParallelism() };
}
