/**
 * Memory checks. Each measurement runs in a fresh Node process (`run.js --child memory …`), so
 * that process RSS and the wasm heap (which grows but never shrinks) start from the same point:
 *   (a) integrated gradients on mnist with 50 and 1,000 steps and the default (memory-budget)
 *       batch size — memory must be bounded, not grow with the number of steps;
 *   (b) the gradient of a batch of 8 through mobilenet96's architecture at 224×224 (and IG with
 *       32 steps) — must complete without exhausting the wasm heap.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { integratedGradients } from '../src/attribution/gradient/integrated-gradients.js';
import { saliency } from '../src/attribution/gradient/saliency.js';
import { budgetBatchSize, DEFAULT_MEMORY_BUDGET } from '../src/core/batching.js';
import { useBackend } from '../src/engine/backend.js';
import { fromLayersModel } from '../src/models/from-layers-model.js';
import type { Engine } from '../src/engine/ort/with-engine.js';
import { buildModel, SPECS, type BenchModelName } from './models.js';

/** What one memory measurement asks for. */
export interface MemoryCase {
  readonly model: BenchModelName;
  /** The executor of Lumen's model (default 'tfjs'). */
  readonly engine?: Engine;
  /** 'ig': integrated gradients of one input; 'grad': the gradient (saliency) of `n` inputs. */
  readonly method: 'ig' | 'grad';
  readonly steps?: number;
  readonly n?: number;
}

/** What one memory measurement found (bytes and milliseconds). */
export interface MemoryResult extends MemoryCase {
  readonly backend: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly ms?: number;
  /** Gradient rows in all (IG: steps + 2 for the delta), rows per model call chosen by the memory budget, and the calls made. */
  readonly rows?: number;
  readonly batchSize?: number;
  readonly modelCalls?: number;
  /** Peak of tf.memory().numBytes above its value before the call. */
  readonly peakTensorBytes?: number;
  readonly rssBefore?: number;
  /** Peak RSS of this process since it started (Linux VmHWM; getrusage maxRSS elsewhere). */
  readonly rssPeak?: number;
  readonly wasmHeapBefore?: number;
  readonly wasmHeapAfter?: number;
  readonly wasmHeapMax?: number;
  /** Tensors left alive by the call (0 = nothing leaked). */
  readonly leakedTensors?: number;
  /** PyTorch's IG of the same rows in the same batches (and in one batch), each in a fresh process. */
  readonly torch?: { readonly sameBatches?: TorchMemory; readonly oneBatch?: TorchMemory };
}

/** What `torch_reference.py --memory-ig` found (bytes and milliseconds). */
export interface TorchMemory {
  readonly ok: boolean;
  readonly error?: string;
  readonly steps?: number;
  readonly batch?: number;
  readonly ms?: number;
  readonly rssBefore?: number;
  readonly rssPeak?: number;
}

/** The wasm heap's current size and its limit in bytes, or nulls off wasm. */
export function wasmHeap(): { size: number | null; max: number | null } {
  if (tf.getBackend() !== 'wasm') return { size: null, max: null };
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  // tfjs-backend-wasm 4.x is built with a 4 GiB − 64 KiB maximum (emscripten's getHeapMax()).
  return { size: wasm?.HEAPU8?.byteLength ?? null, max: 4294901760 };
}

/**
 * Records the peak of tf.memory().numBytes from now until `stop()`, by observing every tensor the
 * engine starts tracking (cheaper and less intrusive than tf.profile, which reads every output).
 */
export function trackPeakBytes(): { stop(): number } {
  const engine = tf.engine() as unknown as { state: { numBytes: number }; trackTensor: (...a: unknown[]) => void };
  const start = engine.state.numBytes;
  let peak = start;
  const original = engine.trackTensor;
  if (typeof original !== 'function') throw new Error('bench: tf.engine().trackTensor is missing; cannot track peak memory');
  engine.trackTensor = function (this: unknown, ...a: unknown[]) {
    original.apply(this, a);
    if (engine.state.numBytes > peak) peak = engine.state.numBytes;
  };
  return {
    stop() {
      engine.trackTensor = original;
      return peak - start;
    },
  };
}

/** Runs one memory case in this process (the child side). */
export async function measureMemory(c: MemoryCase, backendName: string): Promise<MemoryResult> {
  const backend = await useBackend(backendName);
  const spec = SPECS[c.model];
  const layers = buildModel(c.model);
  const model = fromLayersModel(layers, { engine: c.engine ?? 'tfjs' });
  const n = c.method === 'ig' ? 1 : c.n ?? 8;
  const x = tf.randomUniform([n, ...spec.inputShape], 0, 1, 'float32', 13);
  const tensorsBefore = tf.memory().numTensors;
  const heapBefore = wasmHeap();
  const rssBefore = process.memoryUsage().rss;
  const peak = trackPeakBytes();
  const t0 = performance.now();
  const base = { ...c, backend, rows: c.method === 'ig' ? (c.steps ?? 50) + 2 : n, batchSize: budgetBatchSize(model), rssBefore, wasmHeapBefore: heapBefore.size ?? undefined, wasmHeapMax: heapBefore.max ?? undefined };
  try {
    const a = c.method === 'ig'
      ? await integratedGradients(model, x, { target: spec.target, steps: c.steps ?? 50, rule: 'riemann-right' })
      : await saliency(model, x, { target: spec.target, mode: 'signed' });
    await a.values.data();
    const ms = performance.now() - t0;
    const peakTensorBytes = peak.stop();
    a.dispose();
    return {
      ...base,
      ok: true,
      ms: Number(ms.toFixed(1)),
      modelCalls: a.meta.modelCalls,
      peakTensorBytes,
      rssPeak: peakRss(),
      wasmHeapAfter: wasmHeap().size ?? undefined,
      leakedTensors: tf.memory().numTensors - tensorsBefore,
    };
  } catch (e) {
    peak.stop();
    return { ...base, ok: false, error: e instanceof Error ? e.message : String(e), ms: performance.now() - t0, rssPeak: peakRss(), wasmHeapAfter: wasmHeap().size ?? undefined };
  } finally {
    x.dispose();
    model.dispose?.();
    layers.dispose();
  }
}

/** Child-process arguments of one case. */
export function memoryCaseArgs(c: MemoryCase): string[] {
  return ['--model', c.model, '--method', c.method, ...(c.engine ? ['--engine', c.engine] : []), ...(c.steps ? ['--steps', String(c.steps)] : []), ...(c.n ? ['--n', String(c.n)] : [])];
}

/**
 * The process's peak resident set since its exec: Linux's VmHWM (per address space). getrusage's maxRSS is not
 * used on Linux: a child forked from a large parent inherits the parent's high-water mark (the bench parent's
 * ~0.9 GB showed up as every child's peak, Lumen's and PyTorch's alike).
 */
export function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch { /* not Linux */ }
  return process.resourceUsage().maxRSS * 1024;
}

/** Runs one case in a fresh Node process (the parent side). */
export function runMemoryChild(script: string, c: MemoryCase, backend: string): MemoryResult {
  const r = spawnSync(process.execPath, [script, '--child', 'memory', '--backend', backend, ...memoryCaseArgs(c)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{"memory":'));
  if (line) return (JSON.parse(line) as { memory: MemoryResult }).memory;
  const why = (r.stderr || String(r.error ?? '')).trim().split('\n').slice(-4).join(' | ');
  return { ...c, backend, ok: false, error: `child exited with ${r.status ?? r.signal}: ${why}` };
}

/** The default memory cases on `engine`: (a) then (b). */
export function defaultMemoryCases(igSteps: readonly number[], ig224: boolean, engine: Engine = 'tfjs'): MemoryCase[] {
  return [
    ...igSteps.map((steps): MemoryCase => ({ model: 'mnist', method: 'ig', steps, engine })),
    { model: 'mobilenet224', method: 'grad', n: 8, engine },
    // ~50 s on one wasm thread: only on request (--memory-ig224).
    ...(ig224 ? [{ model: 'mobilenet224', method: 'ig', steps: 32, engine } satisfies MemoryCase] : []),
  ];
}

/**
 * PyTorch's integrated gradients of one input with `steps` Riemann points in batches of `batch`
 * rows (0: all in one batch), in a fresh `torch_reference.py --memory-ig` process: its RSS after
 * building the model and its peak RSS (getrusage), for the same work as a Lumen memory case.
 */
export function runTorchMemory(python: string, script: string, model: BenchModelName, steps: number, batch: number, threads: number): TorchMemory {
  const r = spawnSync(python, [script, '--model', model, '--threads', String(threads), '--memory-ig', String(steps), '--memory-batch', String(batch)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{"memory":'));
  if (line) return { ...(JSON.parse(line) as { memory: Omit<TorchMemory, 'ok'> }).memory, ok: true };
  const why = (r.stderr || String(r.error ?? '')).trim().split('\n').slice(-3).join(' | ');
  return { ok: false, error: `torch exited with ${r.status ?? r.signal}: ${why}` };
}

export { DEFAULT_MEMORY_BUDGET };
