/**
 * Lumen's kernels and gradients for what tfjs 4.22 lacks or gets wrong (see src/engine/README.md).
 * `installKernels()` registers them, each only where it is missing, so calling it again (or after
 * another backend was imported) is safe.
 */
import * as tf from '@tensorflow/tfjs';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum.js';
import { conv2DBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { depthwiseConv2dNativeBackpropInputKernel } from './depthwise-backprop-input.js';
import { depthwiseConv2dNativeBackpropFilterKernel } from './depthwise-backprop-filter.js';
import { makeConv2DBackpropInput } from './conv2d-backprop-input.js';
import { maxPoolGradKernel } from './max-pool-grad.js';
import { resizeBilinearGradKernel, resizeNearestNeighborGradKernel } from './resize-grad.js';
import { stridedSliceGradConfig } from '../gradients/strided-slice.js';
import { cumsumGradConfig } from '../gradients/cumsum.js';
import { batchNormGradConfig } from '../gradients/batch-norm.js';
import { makeConv2DGradConfig, makeDepthwiseGradConfig } from '../gradients/conv2d-dilated.js';
import { allowAbsentInputs } from '../absent-inputs.js';

/** Kernels the wasm backend does not have, which gradients and training need. */
export const wasmMissingKernels = [
  unsortedSegmentSumKernel,
  conv2DBackpropFilterKernel,
  depthwiseConv2dNativeBackpropInputKernel,
  depthwiseConv2dNativeBackpropFilterKernel,
] as const;

/** Kernels of tfjs 4.22 backends that give wrong results, replaced by Lumen's: [backend, kernel]. */
export const replacedKernels = [
  ['wasm', maxPoolGradKernel],
  ['cpu', resizeBilinearGradKernel],
  ['cpu', resizeNearestNeighborGradKernel],
  ['wasm', resizeBilinearGradKernel],
  ['wasm', resizeNearestNeighborGradKernel],
] as const;

/** Marks the kernelFuncs Lumen registered, so installation is idempotent. */
const LUMEN = Symbol.for('lumen.kernel');

function mark<T extends object>(fn: T): T {
  (fn as Record<symbol, boolean>)[LUMEN] = true;
  return fn;
}

/** Whether a registered kernelFunc / gradient is one of Lumen's. */
export function isLumenKernel(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, boolean>)[LUMEN] === true;
}

/**
 * Whether wasm's `Conv2DBackpropInput` is replaced by the forward-convolution composition
 * (measured 3.4× faster on the small MNIST CNN of the engine README, equal within float rounding).
 */
export const replaceWasmConv2DBackpropInput = true;

let wasmOwnConv2DBackpropInput: tf.KernelConfig | undefined;

/** wasm's own `Conv2DBackpropInput` kernel, which Lumen's replacement falls back to (for tests). */
export function originalWasmConv2DBackpropInput(): tf.KernelConfig | undefined {
  return wasmOwnConv2DBackpropInput;
}

/** Registers Lumen's kernels for the backends that lack them, and its gradient fixes. Idempotent. */
export function installKernels(): void {
  allowAbsentInputs();
  for (const k of wasmMissingKernels) {
    if (tf.getKernel(k.kernelName, 'wasm') == null) {
      tf.registerKernel({ kernelName: k.kernelName, backendName: 'wasm', kernelFunc: mark(k.kernelFunc as tf.KernelFunc) });
    }
  }
  for (const [backendName, k] of replacedKernels) {
    const current = tf.getKernel(k.kernelName, backendName);
    if (current != null && isLumenKernel(current.kernelFunc)) continue;
    if (current != null) tf.unregisterKernel(k.kernelName, backendName);
    tf.registerKernel({ kernelName: k.kernelName, backendName, kernelFunc: mark(k.kernelFunc as tf.KernelFunc) });
  }
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (replaceWasmConv2DBackpropInput && original != null && !isLumenKernel(original.kernelFunc)) {
    wasmOwnConv2DBackpropInput = original;
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({ ...original, kernelFunc: mark(makeConv2DBackpropInput(original.kernelFunc)) });
  }
  const sliceGrad = tf.getGradient('StridedSlice');
  if (sliceGrad == null) tf.registerGradient({ ...stridedSliceGradConfig, gradFunc: mark(stridedSliceGradConfig.gradFunc) });
  const cumsumGrad = tf.getGradient('Cumsum');
  if (cumsumGrad == null || !isLumenKernel(cumsumGrad.gradFunc)) {
    tf.registerGradient({ ...cumsumGradConfig, gradFunc: mark(cumsumGradConfig.gradFunc) });
  }
  const bnGrad = tf.getGradient('FusedBatchNorm');
  if (bnGrad == null || !isLumenKernel(bnGrad.gradFunc)) {
    tf.registerGradient({ ...batchNormGradConfig, gradFunc: mark(batchNormGradConfig.gradFunc) });
  }
  for (const [kernelName, make] of [['Conv2D', makeConv2DGradConfig], ['DepthwiseConv2dNative', makeDepthwiseGradConfig]] as const) {
    const grad = tf.getGradient(kernelName);
    if (grad != null && !isLumenKernel(grad.gradFunc)) {
      const config = make(grad);
      tf.registerGradient({ ...config, gradFunc: mark(config.gradFunc) });
    }
  }
}
