import type { InferenceSession } from 'onnxruntime-common';
import { LumenError } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import { fromOnnxRuntime, type FromOnnxRuntimeOptions } from './from-onnx-runtime.js';

type OnnxRuntimeNode = { InferenceSession: { create(path: string): Promise<InferenceSession> } };

/** Loads the optional onnxruntime-node package; a LumenError naming it when it is not installed. */
async function onnxRuntimeNode(): Promise<OnnxRuntimeNode> {
  try {
    return (await import('onnxruntime-node')) as OnnxRuntimeNode;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && /onnxruntime-node/.test(err.message)) {
      throw new LumenError('backend', "loadOnnxRuntime: expected the optional package 'onnxruntime-node' (npm install onnxruntime-node); found it not installed");
    }
    throw new LumenError('backend', `loadOnnxRuntime: onnxruntime-node is installed but does not load: ${err.message}`);
  }
}

/**
 * Opens an ONNX file with onnxruntime-node (an optional dependency of Lumen) and wraps the session
 * with `fromOnnxRuntime`. In browsers, create the session with onnxruntime-web and call
 * `fromOnnxRuntime(session)` directly. The Model's `dispose()` releases the session.
 */
export async function loadOnnxRuntime(path: string, options: FromOnnxRuntimeOptions = {}): Promise<Model> {
  const ort = await onnxRuntimeNode();
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(path);
  } catch (e) {
    throw new LumenError('file', `loadOnnxRuntime: onnxruntime cannot open '${path}': ${(e as Error).message}`);
  }
  return fromOnnxRuntime(session, { name: path.split(/[\\/]/).pop()?.replace(/\.onnx$/i, ''), owned: true, ...options });
}
