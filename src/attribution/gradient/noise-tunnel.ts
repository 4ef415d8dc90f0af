import * as tf from '@tensorflow/tfjs';
import { makeAttribution } from '../../core/attribution.js';
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
}

/**
 * Wraps any local method into its noise-tunnel version: the method runs once on all noisy copies
 * x + ε, ε ~ N(0, σ²), stacked into one batch, and the results are averaged (SmoothGrad, Smilkov et
 * al., 2017), averaged squared (SmoothGrad², Hooker et al., 2019) or their variance taken (VarGrad,
 * Adebayo et al., 2018). The wrapper sees only the method's public signature; options that hold
 * one value per example (other than `target`) must be given as functions of the input.
 */
export function noiseTunnel<O extends LocalOptions>(method: LocalMethod<O>, tunnel: NoiseTunnelOptions = {}): LocalMethod<O> {
  const samples = tunnel.samples ?? 10;
  const kind = tunnel.kind ?? 'smoothgrad';
  check(Number.isInteger(samples) && samples >= 1, 'option', () => `noiseTunnel: samples must be a positive integer; found ${samples}`);
  check(['smoothgrad', 'smoothgrad-sq', 'vargrad'].includes(kind), 'option', () => `noiseTunnel: kind must be 'smoothgrad', 'smoothgrad-sq' or 'vargrad'; found '${kind}'`);
  check(tunnel.stdev === undefined || tunnel.stdev >= 0, 'option', () => `noiseTunnel: stdev must be ≥ 0; found ${tunnel.stdev}`);
  return async (model, input, options) => {
    const opts = (options ?? {}) as O;
    checkInput(model, input, 'noiseTunnel');
    const n = input.shape[0];
    const target = await resolveTarget(model, input, opts.target, 'noiseTunnel');
    const size = input.size / n;
    const data = await input.data();
    const rng = new Rng(tunnel.seed ?? opts.seed ?? DEFAULT_SEED);
    const noisy = new Float32Array(n * samples * size);
    for (let i = 0; i < n; i++) {
      const example = data.subarray(i * size, (i + 1) * size);
      const sigma = tunnel.stdev ?? (tunnel.noiseLevel ?? 0.15) * range(example);
      for (let s = 0; s < samples; s++) {
        const offset = (i * samples + s) * size;
        for (let j = 0; j < size; j++) noisy[offset + j] = example[j] + (sigma > 0 ? sigma * rng.normal() : 0);
      }
    }
    const stacked = tf.tensor(noisy, [n * samples, ...input.shape.slice(1)]);
    const expanded = target.classes ? target.classes.flatMap((c) => new Array<number>(samples).fill(c)) : opts.target;
    let inner;
    try {
      inner = await method(model, stacked, { ...opts, target: expanded });
    } finally {
      stacked.dispose();
    }
    const values = tf.tidy(() => {
      const v = inner.values.reshape([n, samples, ...inner.values.shape.slice(1)]);
      if (kind === 'smoothgrad') return v.mean(1);
      if (kind === 'smoothgrad-sq') return v.square().mean(1);
      return tf.moments(v, 1).variance;
    });
    inner.dispose();
    return makeAttribution(`${inner.method}+${kind}`, values, target.classes, { ...inner.meta, delta: undefined, samples, kind });
  };
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
