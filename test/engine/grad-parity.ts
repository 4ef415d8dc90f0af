/**
 * Shared helpers of the engine tests: deterministic data, backend switching and cpu-vs-wasm
 * gradient comparison (each backend builds its own tensors from Float32Array data).
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installKernels } from '../../src/engine/kernels/index.js';

/** Deterministic uniform values in [lo, hi) (mulberry32). */
export function randomData(size: number, seed: number, lo = -1, hi = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; ++i) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

export async function onBackend(name: 'cpu' | 'wasm'): Promise<void> {
  installKernels();
  if (tf.getBackend() !== name) assert.ok(await tf.setBackend(name), `backend ${name} could not start`);
  await tf.ready();
}

/** An input of a gradient case: its shape and value range (data made per backend). */
export interface InputSpec {
  readonly shape: number[];
  readonly lo?: number;
  readonly hi?: number;
}

export interface GradCase {
  readonly name: string;
  readonly inputs: InputSpec[];
  /** The op under test; extra constants (int indices …) are built inside, per backend. */
  readonly fn: (...xs: tf.Tensor[]) => tf.Tensor;
}

/** Gradients of Σ fn(xs) · r (r a fixed random tensor) w.r.t. every input, on the current backend. */
export function gradsOf(c: GradCase, seed: number): { value: Float32Array; grads: Float32Array[] } {
  return tf.tidy(() => {
    const xs = c.inputs.map((s, i) => tf.tensor(randomData(s.shape.reduce((p, q) => p * q, 1), seed + 17 * i, s.lo ?? -1, s.hi ?? 1), s.shape, 'float32'));
    const outShape = tf.tidy(() => c.fn(...xs).shape);
    const r = tf.tensor(randomData(outShape.reduce((p, q) => p * q, 1), seed + 1000), outShape, 'float32');
    const f = (...args: tf.Tensor[]) => tf.sum(tf.mul(c.fn(...args), r));
    const { value, grads } = tf.valueAndGrads(f)(xs);
    return { value: value.dataSync() as Float32Array, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

/** max |a − b| ≤ tol · max |a| + 1e-6 */
export function assertClose(a: Float32Array, b: Float32Array, what: string, tol = 1e-4): void {
  assert.equal(a.length, b.length, `${what}: length ${a.length} vs ${b.length}`);
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < a.length; ++i) {
    maxAbs = Math.max(maxAbs, Math.abs(a[i]));
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
  }
  assert.ok(Number.isFinite(maxDiff) && maxDiff <= tol * maxAbs + 1e-6, `${what}: max diff ${maxDiff} vs max abs ${maxAbs}`);
}

/** Runs a case on cpu then on wasm and compares the value and every input gradient. */
export async function compareBackends(c: GradCase, seed = 7): Promise<void> {
  await onBackend('cpu');
  const cpu = gradsOf(c, seed);
  await onBackend('wasm');
  const wasm = gradsOf(c, seed);
  assertClose(cpu.value, wasm.value, `${c.name}: value`);
  cpu.grads.forEach((g, i) => assertClose(g, wasm.grads[i], `${c.name}: gradient of input ${i}`));
}
