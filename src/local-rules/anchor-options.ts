import { check } from '../core/errors.js';
import type { LocalOptions } from '../core/options.js';

/**
 * Options of every Anchors search. Defaults are alibi's `AnchorTabular/Image/Text.explain()`
 * defaults: precision threshold 0.95, δ 0.1, τ (the bandit's ε) 0.15, 100 samples per pull,
 * 10,000 coverage samples, beam size 1; the verification margin ε_stop is `anchor_beam`'s 0.05.
 */
export interface AnchorOptions extends Pick<LocalOptions, 'seed' | 'signal' | 'onProgress'> {
  /** Precision an anchor must reach (default 0.95). */
  readonly threshold?: number;
  /** Confidence δ of the bandit's bounds (default 0.1). */
  readonly delta?: number;
  /** Tolerance τ (ε in KL-LUCB): the gap the bounds must close to (default 0.15). */
  readonly tau?: number;
  /**
   * Margin ε_stop of the verification of each kept candidate (alibi's `anchor_beam` default 0.05):
   * it is sampled until its lower bound clears threshold − ε_stop or its upper bound falls below
   * threshold + ε_stop, and it is accepted when its mean ≥ threshold and lower bound > threshold − ε_stop.
   */
  readonly epsilonStop?: number;
  /** Samples drawn per pull of an arm (default 100); `batchSize` is the rows per model call. */
  readonly samplesPerPull?: number;
  /** Rows per model call (default 4,096): pulls of several arms go through the model together. */
  readonly batchSize?: number;
  /** Unconditioned samples the coverage of an anchor is measured on (default 10,000). */
  readonly coverageSamples?: number;
  /** Candidates kept per anchor size (default 1); used on every domain. */
  readonly beamSize?: number;
  /** Most features in an anchor (default: all). */
  readonly maxAnchorSize?: number;
  /** Samples drawn for the empty anchor before the search (default 100). */
  readonly minSamplesStart?: number;
  /** Stop at the first anchor that meets the threshold (default false: keep searching for more coverage). */
  readonly stopOnFirst?: boolean;
}

/** AnchorOptions with every default filled in. */
export type ResolvedAnchorOptions = Required<Omit<AnchorOptions, 'signal' | 'onProgress' | 'maxAnchorSize'>> & Pick<AnchorOptions, 'signal' | 'onProgress' | 'maxAnchorSize'>;

function positiveInteger(value: number, name: string, fn: string): void {
  check(Number.isInteger(value) && value >= 1, 'option', () => `${fn}: ${name} must be a positive integer; found ${value}`);
}

/** The options with alibi's defaults, each checked (a LumenError names the option and its value). */
export function resolveAnchorOptions(options: AnchorOptions, fn: string): ResolvedAnchorOptions {
  const r: ResolvedAnchorOptions = {
    threshold: options.threshold ?? 0.95,
    delta: options.delta ?? 0.1,
    tau: options.tau ?? 0.15,
    epsilonStop: options.epsilonStop ?? 0.05,
    samplesPerPull: options.samplesPerPull ?? 100,
    batchSize: options.batchSize ?? 4096,
    coverageSamples: options.coverageSamples ?? 10000,
    beamSize: options.beamSize ?? 1,
    minSamplesStart: options.minSamplesStart ?? 100,
    stopOnFirst: options.stopOnFirst ?? false,
    seed: options.seed ?? 42,
    ...(options.maxAnchorSize !== undefined ? { maxAnchorSize: options.maxAnchorSize } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  check(typeof r.threshold === 'number' && r.threshold > 0 && r.threshold <= 1, 'option', () => `${fn}: threshold must be in (0, 1]; found ${r.threshold}`);
  check(typeof r.delta === 'number' && r.delta > 0 && r.delta < 1, 'option', () => `${fn}: delta must be in (0, 1); found ${r.delta}`);
  check(typeof r.tau === 'number' && r.tau > 0 && r.tau < 1, 'option', () => `${fn}: tau must be in (0, 1); found ${r.tau}`);
  check(typeof r.epsilonStop === 'number' && r.epsilonStop > 0 && r.epsilonStop < 1, 'option', () => `${fn}: epsilonStop must be in (0, 1); found ${r.epsilonStop}`);
  positiveInteger(r.samplesPerPull, 'samplesPerPull', fn);
  positiveInteger(r.batchSize, 'batchSize', fn);
  positiveInteger(r.coverageSamples, 'coverageSamples', fn);
  positiveInteger(r.beamSize, 'beamSize', fn);
  positiveInteger(r.minSamplesStart, 'minSamplesStart', fn);
  if (r.maxAnchorSize !== undefined) positiveInteger(r.maxAnchorSize, 'maxAnchorSize', fn);
  check(Number.isInteger(r.seed), 'option', () => `${fn}: seed must be an integer; found ${r.seed}`);
  return r;
}
