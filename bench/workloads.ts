/**
 * The workloads of bench/torch_reference.py, on Lumen: each is an async function that does
 * the whole job (including reading the result back to JS, so that the timing covers the work) and
 * releases every tensor it makes.
 */
import * as tf from '@tensorflow/tfjs';
import { integratedGradients } from '../src/attribution/gradient/integrated-gradients.js';
import { saliency } from '../src/attribution/gradient/saliency.js';
import { deepLift } from '../src/attribution/propagation/deep-lift.js';
import { lrp } from '../src/attribution/propagation/lrp/lrp.js';
import type { Model } from '../src/core/model.js';
import type { BenchSpec } from './models.js';

export const WORKLOADS = ['fwd32', 'grad32', 'ig50', 'ig50d', 'occ200b32', 'lrp32', 'deeplift32'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** The reference workload each Lumen workload is compared with (ig50d is ig50 with Lumen's default batch size). */
export const TORCH_WORKLOAD: Readonly<Record<WorkloadName, string>> = { fwd32: 'fwd32', grad32: 'grad32', ig50: 'ig50', ig50d: 'ig50', occ200b32: 'occ200b32', lrp32: 'lrp32', deeplift32: 'deeplift32' };
/** One workload ready to run, and the inputs it holds (released by `dispose`). */
export interface Workloads {
  readonly run: Readonly<Record<WorkloadName, () => Promise<unknown>>>;
  dispose(): void;
}

/** Number of occluded copies and batch size of `occ200b32`. */
const OCC_TOTAL = 200;
const OCC_BATCH = 32;

/**
 * The occlusion masks of copies `start … start+n−1`, `[n, H, W, 1]`: a `patch`×`patch` square of
 * zeros at grid position k of a ⌈√total⌉×⌈√total⌉ grid spread evenly over the image (as the
 * PyTorch script places them).
 */
export function occlusionMasks(start: number, n: number, h: number, w: number, patch: number, total = OCC_TOTAL): Float32Array {
  const side = Math.floor(Math.sqrt(total) + 0.999999);
  const step = (w - patch) / (side - 1);
  const m = new Float32Array(n * h * w).fill(1);
  for (let i = 0; i < n; i++) {
    const k = start + i;
    const py = roundHalfEven(Math.floor(k / side) * step);
    const px = roundHalfEven((k % side) * step);
    for (let y = py; y < Math.min(h, py + patch); y++) {
      m.fill(0, i * h * w + y * w + px, i * h * w + y * w + Math.min(w, px + patch));
    }
  }
  return m;
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Builds the workloads of one model; inputs are uniform on [0, 1) from a fixed seed. */
export function makeWorkloads(model: Model, spec: BenchSpec): Workloads {
  const [h, w, c] = spec.inputShape;
  const x32 = tf.randomUniform([32, h, w, c], 0, 1, 'float32', 11);
  const x1 = tf.randomUniform([1, h, w, c], 0, 1, 'float32', 12);
  const target = spec.target;

  const fwd32 = async () => {
    const y = await model.predict(x32);
    await y.data();
    y.dispose();
  };

  const grad32 = async () => {
    const a = await saliency(model, x32, { target, mode: 'signed', batchSize: 32 });
    await a.values.data();
    a.dispose();
  };

  // 50 Riemann-right points on the path from a zero baseline (torch.linspace(1/50, 1, 50)), one
  // model call of 50 rows. Lumen adds two zero-weight rows (at x and at the baseline) for the
  // convergence delta, so with batchSize 50 it makes a second call of 2 rows.
  const ig50 = async () => {
    const a = await integratedGradients(model, x1, { target, steps: 50, rule: 'riemann-right', baseline: 'zeros', batchSize: 50 });
    await a.values.data();
    a.dispose();
  };

  // The same 50 points with no batchSize: what a user gets by default (the memory budget's batch,
  // MAX_DEFAULT_BATCH rows: calls of 32 and 20 rows).
  const ig50d = async () => {
    const a = await integratedGradients(model, x1, { target, steps: 50, rule: 'riemann-right', baseline: 'zeros' });
    await a.values.data();
    a.dispose();
  };

  // LRP-ε (ε = 1e-6) on every dense and conv layer (activations and batch norm Pass, max pooling
  // the gradient, average pooling Norm), batch 32, one model call.
  const lrp32 = async () => {
    const a = await lrp(model, x32, { target, rule: 'epsilon', batchSize: 32 });
    await a.values.data();
    a.dispose();
  };

  // DeepLIFT rescale against a zero reference, batch 32, one model call.
  const deeplift32 = async () => {
    const a = await deepLift(model, x32, { target, batchSize: 32 });
    await a.values.data();
    a.dispose();
  };

  const occ200b32 = async () => {
    const scores: number[] = [];
    for (let s = 0; s < OCC_TOTAL; s += OCC_BATCH) {
      const n = Math.min(OCC_BATCH, OCC_TOTAL - s);
      const masked = tf.tidy(() => x1.mul(tf.tensor4d(occlusionMasks(s, n, h, w, spec.patch), [n, h, w, 1])));
      const out = await model.predict(masked);
      const col = tf.tidy(() => out.reshape([n, -1]).slice([0, target], [n, 1]));
      scores.push(...(await col.data()));
      tf.dispose([masked, out, col]);
    }
    return scores;
  };

  return {
    run: { fwd32, grad32, ig50, ig50d, occ200b32, lrp32, deeplift32 },
    dispose: () => tf.dispose([x32, x1]),
  };
}

/** Timing of one workload: warm-up runs, then `reps` timed runs. */
export interface Timing {
  readonly medianMs: number;
  readonly times: number[];
  /** tf.memory().numTensors after the last rep minus before the first timed rep (0 = no leak). */
  readonly tensorGrowth: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function timeWorkload(fn: () => Promise<unknown>, reps: number, warmup = 1): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const before = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return { medianMs: median(times), times, tensorGrowth: tf.memory().numTensors - before };
}
