import { DEFAULT_MEMORY_BUDGET } from '../core/batching.js';
import { LumenError } from '../core/errors.js';

/** What a sampling method keeps in memory per sample and example, and why (for the message). */
interface SampleCost {
  readonly bytes: number;
  readonly what: string;
}

/** What `checkSampleBudget` needs to know about the run. */
export interface SampleRun {
  readonly method: string;
  readonly samples: number;
  /** Examples explained together. */
  readonly examples: number;
  /** Features the method switches on and off (tabular columns, superpixels, patches, mask ids). */
  readonly features: number;
  /** RISE's grid size (default 7). */
  readonly gridSize?: number;
}

/**
 * Bytes held per sample and example by the methods whose sample count sets their memory: LIME
 * and KernelSHAP keep every coalition row of their weighted fit (float64, plus weight and score),
 * Shapley value sampling keeps its orderings (int32) and scores, RISE its mask grids (bytes) and
 * scores. Other methods stream their samples (SmoothGrad, GradientSHAP) and are not limited here.
 */
function sampleCost(run: SampleRun): SampleCost | undefined {
  switch (run.method) {
    case 'lime':
    case 'kernel-shap':
      return { bytes: 8 * run.features + 24, what: `a coalition row of ${run.features} features for the weighted fit` };
    case 'shapley-value-sampling':
      return { bytes: 4 * run.features + 16, what: `an ordering of ${run.features} features and its scores` };
    case 'rise': {
      const g = run.gridSize ?? 7;
      return { bytes: g * g + 12, what: `a ${g}×${g} mask grid and its score` };
    }
    default:
      return undefined;
  }
}

/** The most samples `run.method` may take within `budget` bytes (Infinity for streaming methods). */
export function maxSamples(run: Omit<SampleRun, 'samples'>, budget = DEFAULT_MEMORY_BUDGET): number {
  const cost = sampleCost({ ...run, samples: 1 });
  return cost ? Math.max(1, Math.floor(budget / (cost.bytes * Math.max(1, run.examples)))) : Number.POSITIVE_INFINITY;
}

/**
 * Refuses a sample count whose bookkeeping would not fit the memory budget (`--samples 1000000000`
 * for LIME, RISE, KernelSHAP, Shapley value sampling), before any work: a LumenError naming the
 * method, what each sample costs and the largest count allowed.
 */
export function checkSampleBudget(run: SampleRun, budget = DEFAULT_MEMORY_BUDGET): void {
  const cost = sampleCost(run);
  const limit = maxSamples(run, budget);
  if (!cost || run.samples <= limit) return;
  const mib = (b: number): string => `${(b / 2 ** 20).toLocaleString('en-US', { maximumFractionDigits: 0 })} MiB`;
  throw new LumenError('option',
    `--samples ${run.samples}: ${run.method} keeps ${cost.bytes} bytes per sample and example (${cost.what}), ${mib(cost.bytes * run.samples * run.examples)} for ${run.examples} example${run.examples === 1 ? '' : 's'}; expected at most ${limit.toLocaleString('en-US')} samples (memory budget ${mib(budget)})`);
}

/**
 * How many features a coalition method will see, from the CLI's flags, for the sample budget: the
 * largest id + 1 of a mask file, the patches of `patch:HxW`, SLIC's segment count (Felzenszwalb:
 * at most one per pixel), every value for `scalars`, a column per tabular feature, and the
 * registry's default of 50 SLIC superpixels for images.
 */
export function featureCount(inputShape: readonly number[], spec: { readonly features?: string; readonly mask?: ArrayLike<number>; readonly superpixels?: string }): number {
  const size = inputShape.reduce((a, b) => a * b, 1);
  const pixels = inputShape.length >= 2 ? inputShape[0] * inputShape[1] : size;
  if (spec.mask) {
    let max = 0;
    for (let i = 0; i < spec.mask.length; i++) max = Math.max(max, spec.mask[i]);
    return max + 1;
  }
  const patch = /^patch:(\d+)x(\d+)$/.exec(spec.features ?? '');
  if (patch && inputShape.length >= 2) return Math.ceil(inputShape[0] / Number(patch[1])) * Math.ceil(inputShape[1] / Number(patch[2]));
  if (spec.features === 'scalars') return size;
  if (spec.features === 'tokens' || inputShape.length === 1) return inputShape[0];
  const slic = /^slic(?::(\d+))?$/.exec(spec.superpixels ?? 'slic:50');
  return slic ? Number(slic[1] ?? 100) : pixels;
}
