import type { OnnxRuntime } from './onnx-runtime-type.js';
import { LumenError } from '../../core/errors.js';

let chosen: Promise<OnnxRuntime> | null = null;

/**
 * Sets the onnxruntime the engine uses (in browsers: onnxruntime-web's module with
 * `navigator.hardwareConcurrency` threads). Without it, Node's onnxruntime-node is loaded on
 * first use with one intra-op thread per core.
 */
export function setOnnxRuntime(runtime: OnnxRuntime): void {
  chosen = Promise.resolve(runtime);
}

/** The onnxruntime of the engine; a LumenError when onnxruntime-node is not installed. */
export function onnxRuntime(): Promise<OnnxRuntime> {
  chosen ??= import('./node-runtime.js').then((m) => m.nodeRuntime()).catch((e: unknown) => {
    chosen = null;
    if (e instanceof LumenError) throw e;
    throw new LumenError('backend', `onnxruntime engine: onnxruntime-node does not load: ${(e as Error).message}`);
  });
  return chosen;
}
