/**
 * Helpers shared by Lumen's kernels: typed-array access to a backend's tensor data, output
 * allocation and calls to other kernels of the same backend. Works on `wasm` (views on its heap,
 * no copies) and on any backend that implements `readSync` / `makeTensorInfo` (cpu, tensorflow).
 */
import * as tf from '@tensorflow/tfjs';

/** The backend object a kernelFunc receives (typed loosely: each backend has its own class). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyBackend = any;

export type KernelValues = Float32Array | Int32Array | Uint8Array;

/** Whether `backend` is the wasm backend (heap views, XNNPACK kernels). */
export function isWasmBackend(backend: AnyBackend): boolean {
  return typeof backend?.typedArrayFromHeap === 'function' && typeof backend?.makeOutput === 'function';
}

/**
 * Allocates an output tensor and returns it with a writable view of its values. On wasm the
 * view points into the heap: take it (and `readView()` of the inputs) only after every allocation.
 */
export function allocateOutput(backend: AnyBackend, shape: number[], dtype: tf.DataType): { info: tf.TensorInfo; values: KernelValues; commit(): tf.TensorInfo } {
  if (isWasmBackend(backend)) {
    const info = backend.makeOutput(shape, dtype) as tf.TensorInfo;
    return { info, values: backend.typedArrayFromHeap(info) as KernelValues, commit: () => info };
  }
  const size = tf.util.sizeFromShape(shape);
  const values: KernelValues = dtype === 'int32' ? new Int32Array(size) : dtype === 'bool' ? new Uint8Array(size) : new Float32Array(size);
  return {
    info: { dataId: {}, shape, dtype },
    values,
    commit: () => backend.makeTensorInfo(shape, dtype, values) as tf.TensorInfo,
  };
}

/**
 * Read access to a tensor's values: a heap view on wasm (valid until the next allocation), a
 * (possibly shared) typed array elsewhere. Never write into it.
 */
export function readView(backend: AnyBackend, t: tf.TensorInfo): KernelValues {
  if (isWasmBackend(backend)) return backend.typedArrayFromHeap(t) as KernelValues;
  return backend.readSync(t.dataId) as KernelValues;
}

/** Frees an intermediate result made inside a kernel. */
export function releaseIntermediate(backend: AnyBackend, t: tf.TensorInfo): void {
  if (typeof backend.disposeIntermediateTensorInfo === 'function') backend.disposeIntermediateTensorInfo(t);
  else backend.disposeData(t.dataId);
}

/** Runs another kernel registered for the backend (`kernel` name) on TensorInfos. */
export function runBackendKernel(backend: AnyBackend, kernel: string, inputs: Record<string, tf.TensorInfo>, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
  const config = tf.getKernel(kernel, backendNameOf(backend));
  if (config == null) throw new Error(`lumen engine: kernel ${kernel} is not registered for this backend`);
  const out = config.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs });
  return (Array.isArray(out) ? out[0] : out) as tf.TensorInfo;
}

/** The registered name of a backend instance (falls back to the active backend's name). */
export function backendNameOf(backend: AnyBackend): string {
  const engine = tf.engine() as unknown as { registry: Record<string, unknown> };
  for (const [name, instance] of Object.entries(engine.registry)) if (instance === backend) return name;
  return tf.getBackend();
}

/** Allocates a float32 tensor from values computed in JS (copies `values`). */
export function outputFromValues(backend: AnyBackend, shape: number[], values: Float32Array): tf.TensorInfo {
  const out = allocateOutput(backend, shape, 'float32');
  out.values.set(values);
  return out.commit();
}

/**
 * dy [N, OH, OW, C] with (stride − 1) zeros inserted between rows and columns:
 * [N, (OH−1)·sh + 1, (OW−1)·sw + 1, C]. Returns dy itself (not a copy) when both strides are 1.
 */
export function dilateRows(backend: AnyBackend, dy: tf.TensorInfo, sh: number, sw: number): tf.TensorInfo {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, c] = dy.shape;
  const h = (oh - 1) * sh + 1;
  const w = (ow - 1) * sw + 1;
  const out = allocateOutput(backend, [n, h, w, c], dy.dtype);
  const o = out.values;
  o.fill(0);
  const v = readView(backend, dy);
  for (let b = 0; b < n; ++b) {
    for (let y = 0; y < oh; ++y) {
      for (let x = 0; x < ow; ++x) {
        const src = ((b * oh + y) * ow + x) * c;
        o.set(v.subarray(src, src + c), ((b * h + y * sh) * w + x * sw) * c);
      }
    }
  }
  return out.commit();
}
