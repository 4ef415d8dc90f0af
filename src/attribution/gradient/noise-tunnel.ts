import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution, type AttributionMeta } from '../../core/attribution.js';
import { batchSizeOf, stackedRows } from '../../core/batching.js';
import { check } from '../../core/errors.js';
import type { LocalMethod, LocalOptions } from '../../core/options.js';
import { DEFAULT_SEED, Rng } from '../../core/random.js';
import { resolveTarget } from '../../core/target.js';
import { checkInput } from '../../core/validate.js';

/** How the noisy attributions are combined. */
export type NoiseTunnelKind = 'smoothgrad' | 'smoothgrad-sq' | 'vargrad';

/** Options of `noiseTunnel`. */
export interface NoiseTunnelOptions {
  /** Noisy copies per example; default 10. */
  readonly samples?: number;
  /** Standard deviation of the Gaussian noise, absolute; default 0.15 × (max − min) of each example. */
  readonly stdev?: number;
  /** Noise level relative to each example's range (max − min), as in the SmoothGrad paper; used when `stdev` is not given. Default 0.15. */
  readonly noiseLevel?: number;
  /** 'smoothgrad' (mean), 'smoothgrad-sq' (mean of squares) or 'vargrad' (variance); default 'smoothgrad'. */
  readonly kind?: NoiseTunnelKind;
  /** Seed of the noise. */
  readonly seed?: number;
  /**
   * Noisy copies stacked into one call of the wrapped method; default: as many as fit an eighth
   * of the memory budget (a multiple of the batch size). Memory stays bounded however many
   * samples are asked for; the result does not depend on it for deterministic wrapped methods.
   */
  readonly maxStacked?: number;
}

/** Running statistics over the noisy attributions of a group of examples: `[e, ...]` each. */
interface Moments {
  count: number;
  mean: tf.Tensor;
  /** Population variance (VarGrad only). */
  variance: tf.Tensor | null;
}

/**
 * Wraps any local method into its noise-tunnel version: the method runs on noisy copies
 * x + ε, ε ~ N(0, σ²), stacked into batches, and the results are averaged (SmoothGrad, Smilkov et
 * al., 2017), averaged squared (SmoothGrad², Hooker et al., 2019) or their variance taken (VarGrad,
 * Adebayo et al., 2018). The copies are stacked `maxStacked` at a time and each group's statistics
 * are merged into running ones (Chan et al.'s pairwise update for the variance), so memory does not
 * grow with the number of samples. The wrapper sees only the method's public signature; options
 * that hold one value per example (other than `target`) must be given as functions of the input.
 * The wrapped method keeps its defaults: around `saliency` that is Captum's NoiseTunnel(Saliency),
 * the mean of absolute gradients (`mode: 'signed'` for the signed mean).
 */
export function noiseTunnel<O extends LocalOptions>(method: LocalMethod<O>, tunnel: NoiseTunnelOptions = {}): LocalMethod<O> {
  const fn = 'noiseTunnel';
  const samples = tunnel.samples ?? 10;
  const kind = tunnel.kind ?? 'smoothgrad';
  check(Number.isInteger(samples) && samples >= 1, 'option', () => `${fn}: samples must be a positive integer; found ${samples}`);
  check(['smoothgrad', 'smoothgrad-sq', 'vargrad'].includes(kind), 'option', () => `${fn}: kind must be 'smoothgrad', 'smoothgrad-sq' or 'vargrad'; found '${kind}'`);
  check(tunnel.stdev === undefined || tunnel.stdev >= 0, 'option', () => `${fn}: stdev must be ≥ 0; found ${tunnel.stdev}`);
  check(tunnel.noiseLevel === undefined || (tunnel.noiseLevel >= 0 && Number.isFinite(tunnel.noiseLevel)), 'option', () => `${fn}: noiseLevel must be a finite number ≥ 0; found ${tunnel.noiseLevel}`);
  check(tunnel.maxStacked === undefined || (Number.isInteger(tunnel.maxStacked) && tunnel.maxStacked >= 1), 'option', () =>
    `${fn}: maxStacked must be a positive integer; found ${tunnel.maxStacked}`);
  return async (model, input, options) => {
    const opts = (options ?? {}) as O;
    checkInput(model, input, fn);
    const n = input.shape[0];
    const target = await resolveTarget(model, input, opts.target, fn);
    const size = input.size / n;
    const data = (await input.data()) as Float32Array;
    const sigmas = Array.from({ length: n }, (_, i) => tunnel.stdev ?? (tunnel.noiseLevel ?? 0.15) * range(data.subarray(i * size, (i + 1) * size)));
    const rng = new Rng(tunnel.seed ?? opts.seed ?? DEFAULT_SEED);
    const stack = tunnel.maxStacked ?? stackedRows(size * 4, batchSizeOf(model, opts, fn));
    // Groups of whole examples when an example's copies fit one stack, else one example's copies
    // split across stacks; either way the noise is drawn in the same order (example by example,
    // copy by copy), so the result does not depend on the grouping.
    const examplesPerGroup = Math.max(1, Math.floor(stack / samples));
    const copiesPerGroup = Math.min(samples, stack);
    const results: tf.Tensor[] = [];
    let first: { method: string; meta: AttributionMeta } | null = null;
    let calls: number | undefined = 0;
    try {
      for (let e0 = 0; e0 < n; e0 += examplesPerGroup) {
        const e1 = Math.min(n, e0 + examplesPerGroup);
        let moments: Moments | null = null;
        try {
          for (let s0 = 0; s0 < samples; s0 += copiesPerGroup) {
            const s1 = Math.min(samples, s0 + copiesPerGroup);
            const copies = s1 - s0;
            const rows = (e1 - e0) * copies;
            const done = e0 * samples + (e1 - e0) * s0;
            const stacked = tf.tensor(noisyCopies(data, size, e0, e1, copies, sigmas, rng), [rows, ...input.shape.slice(1)]);
            const expanded = target.classes ? target.classes.slice(e0, e1).flatMap((c) => new Array<number>(copies).fill(c)) : opts.target;
            const onProgress = opts.onProgress
              ? (p: { done: number; total: number }) => opts.onProgress?.({ done: done + Math.round((rows * p.done) / Math.max(1, p.total)), total: n * samples })
              : undefined;
            let inner: Attribution;
            try {
              inner = await method(model, stacked, { ...opts, target: expanded, onProgress });
            } finally {
              stacked.dispose();
            }
            first ??= { method: inner.method, meta: inner.meta };
            calls = calls !== undefined && typeof inner.meta.modelCalls === 'number' ? calls + inner.meta.modelCalls : undefined;
            const part = groupMoments(inner.values, e1 - e0, copies, kind);
            inner.dispose();
            moments = moments ? mergeMoments(moments, part) : part;
          }
          // samples ≥ 1, so every group has run at least once.
          const done = moments as Moments;
          results.push(done.variance ?? done.mean);
          if (done.variance) done.mean.dispose();
          moments = null;
        } finally {
          if (moments) tf.dispose([moments.mean, ...(moments.variance ? [moments.variance] : [])]);
        }
      }
    } catch (e) {
      tf.dispose(results);
      throw e;
    }
    const values = results.length === 1 ? results[0] : tf.tidy(() => tf.concat(results, 0));
    if (results.length > 1) tf.dispose(results);
    return makeAttribution(`${first?.method}+${kind}`, values, target.classes, { ...first?.meta, delta: undefined, samples, kind, modelCalls: calls });
  };
}

/** `copies` noisy copies of each of examples e0…e1−1 (example by example), drawn from `rng`. */
function noisyCopies(data: Float32Array, size: number, e0: number, e1: number, copies: number, sigmas: readonly number[], rng: Rng): Float32Array {
  const noisy = new Float32Array((e1 - e0) * copies * size);
  for (let e = e0; e < e1; e++) {
    const example = data.subarray(e * size, (e + 1) * size);
    for (let s = 0; s < copies; s++) {
      const offset = ((e - e0) * copies + s) * size;
      for (let j = 0; j < size; j++) noisy[offset + j] = example[j] + (sigmas[e] > 0 ? sigmas[e] * rng.normal() : 0);
    }
  }
  return noisy;
}

/** Statistics of one group's attributions `[e·copies, ...]`: mean (of squares for SmoothGrad²) and, for VarGrad, variance over the copies. */
function groupMoments(values: tf.Tensor, examples: number, copies: number, kind: NoiseTunnelKind): Moments {
  const [mean, variance] = tf.tidy(() => {
    const v = values.reshape([examples, copies, ...values.shape.slice(1)]);
    if (kind === 'smoothgrad') return [v.mean(1)];
    if (kind === 'smoothgrad-sq') return [v.square().mean(1)];
    const m = tf.moments(v, 1);
    return [m.mean, m.variance];
  });
  return { count: copies, mean, variance: variance ?? null };
}

/** The statistics of two disjoint sets of copies of the same examples, merged (Chan, Golub & LeVeque, 1979); disposes both. */
function mergeMoments(a: Moments, b: Moments): Moments {
  const count = a.count + b.count;
  const [mean, variance] = tf.tidy(() => {
    const delta = b.mean.sub(a.mean);
    const merged = [a.mean.add(delta.mul(b.count / count))];
    if (a.variance && b.variance) {
      merged.push(a.variance.mul(a.count / count).add(b.variance.mul(b.count / count)).add(delta.square().mul((a.count * b.count) / (count * count))));
    }
    return merged;
  });
  tf.dispose([a.mean, b.mean, ...(a.variance ? [a.variance] : []), ...(b.variance ? [b.variance] : [])]);
  return { count, mean, variance: variance ?? null };
}

function range(values: ArrayLike<number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < lo) lo = values[i];
    if (values[i] > hi) hi = values[i];
  }
  return hi - lo;
}
