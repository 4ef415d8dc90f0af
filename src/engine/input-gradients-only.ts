/**
 * "Never compute weight gradients" (DESIGN.md, engine item 1). tfjs's fused conv2d / depthwise
 * conv2d ops with a linear activation (Conv→BatchNorm→ReLU blocks, convolutions with a bias and
 * no activation) take their gradient through a `customGrad` that computes the filter gradient
 * eagerly even when only ∂f/∂x is asked for. Inside `withInputGradientsOnly`, the filter-gradient
 * kernels of every backend are replaced by kernels that return zeros of the right shape; the
 * real kernels are put back when the scope ends, also after a throw, so training in the same
 * process is unaffected. Scopes nest. (Fused matMul's weight gradient is a plain BatchMatMul,
 * which cannot be told apart from the input gradient's, so dense layers still compute it.)
 */
import * as tf from '@tensorflow/tfjs';
import { allocateOutput, type AnyBackend } from './kernels/util.js';

/** The kernels that compute only weight (filter) gradients. */
export const filterGradientKernels = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter'] as const;

const ZERO = Symbol.for('lumen.zero-filter-gradient');

function zeroFilterGradient({ backend, attrs }: { backend: AnyBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const shape = (attrs as { filterShape: number[] }).filterShape;
  const out = allocateOutput(backend, shape.slice(), 'float32');
  out.values.fill(0);
  return out.commit();
}
(zeroFilterGradient as unknown as Record<symbol, boolean>)[ZERO] = true;

let depth = 0;
/** What each replaced (kernel, backend) held before the outermost scope: a config or nothing. */
let saved: Array<{ kernelName: string; backendName: string; config: tf.KernelConfig | undefined }> = [];

function backendNames(): string[] {
  const engine = tf.engine() as unknown as { registryFactory: Record<string, unknown> };
  return Object.keys(engine.registryFactory);
}

function enter(): void {
  if (depth++ > 0) return;
  saved = [];
  for (const backendName of backendNames()) {
    for (const kernelName of filterGradientKernels) {
      const config = tf.getKernel(kernelName, backendName);
      if (config != null) tf.unregisterKernel(kernelName, backendName);
      tf.registerKernel({ kernelName, backendName, kernelFunc: zeroFilterGradient as unknown as tf.KernelFunc });
      saved.push({ kernelName, backendName, config });
    }
  }
}

function leave(): void {
  if (--depth > 0) return;
  for (const { kernelName, backendName, config } of saved) {
    if (tf.getKernel(kernelName, backendName) != null) tf.unregisterKernel(kernelName, backendName);
    if (config != null) tf.registerKernel(config);
  }
  saved = [];
}

/** Whether a withInputGradientsOnly scope is active (filter gradients are zeros). */
export function inputGradientsOnlyActive(): boolean {
  return depth > 0;
}

/**
 * Runs `fn` with the filter-gradient kernels returning zeros, so that gradients with respect to
 * inputs (or layer activations) skip the eager weight-gradient work of fused ops; gradients
 * with respect to weights taken inside are zeros. If `fn` returns a promise, the scope lasts
 * until it settles (and then covers anything else running meanwhile: prefer synchronous `fn`).
 */
export function withInputGradientsOnly<T>(fn: () => T): T {
  enter();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    leave();
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(leave) as T;
  }
  leave();
  return result;
}
