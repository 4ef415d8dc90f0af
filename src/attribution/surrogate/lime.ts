import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution, type AttributionMeta } from '../../core/attribution.js';
import { batchSizeOf } from '../../core/batching.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import { DEFAULT_SEED, Rng } from '../../core/random.js';
import { resolveTarget } from '../../core/target.js';
import { checkInput } from '../../core/validate.js';
import { coalitionEvaluator, countingCalls, type CoalitionOptions } from './coalition-evaluator.js';
import { uniformCoalitions } from './coalition-sampler.js';
import { scoreRows } from './score-rows.js';
import { binOf, sampleInBin, tabularStatistics, type TabularStatistics } from './tabular-statistics.js';
import { weightedLinearFit, type WeightedLinearFit } from './weighted-linear-fit.js';

/** LIME's two ways to perturb: tabular sampling from training statistics, or switching interpretable features (superpixels, tokens, groups) off. */
export type LimeMode = 'tabular' | 'mask';

/** Options of `lime`. */
export interface LimeOptions extends CoalitionOptions {
  /** Default: `'mask'` when a featureMask is given or the examples are not vectors, else `'tabular'`. */
  readonly mode?: LimeMode;
  /** Perturbed samples per example, the instance included; default 5000 (tabular) or 1000 (mask), as lime. */
  readonly samples?: number;
  /** Width of the exponential kernel √exp(−d²/width²); default 0.75·√d (tabular, Euclidean d) or 0.25 (mask, cosine d). */
  readonly kernelWidth?: number;
  /** Ridge penalty α of the surrogate (scikit-learn's Ridge, lime's default 1); 0 is weighted least squares. */
  readonly ridge?: number;
  /** Tabular: rows `[M, d]` whose statistics drive the sampling; default the explained batch itself (with a warning). */
  readonly trainingData?: tf.Tensor;
  /** Tabular: quartile discretisation (default true); false samples N(mean, std) and fits on standardised values. */
  readonly discretize?: boolean;
}

/**
 * LIME (Ribeiro, Singh & Guestrin, "Why Should I Trust You?", KDD 2016): a weighted ridge surrogate
 * fitted, per example, to the target score on seeded perturbations weighted by the kernel
 * √exp(−d²/width²). Tabular (lime's LimeTabularExplainer): each feature's quartile bin is drawn from
 * the training frequencies and a value from a normal truncated to the bin; the surrogate sees 1 where
 * the bin is the instance's, and d is the Euclidean distance of that 0/1 vector to all ones. Mask
 * (images over superpixels, text over tokens, any feature groups): uniform on/off coalitions with
 * absent features at the baseline, d the cosine distance. Values are the surrogate's coefficients
 * (each scalar gets its feature's); `meta` holds `intercept`, the weighted fidelity `r2`,
 * `localPrediction` and `score` (the model's) per example.
 */
export async function lime(model: Model, input: tf.Tensor, options: LimeOptions = {}): Promise<Attribution> {
  const fn = 'lime';
  checkInput(model, input, fn);
  const mode = options.mode ?? (options.featureMask !== undefined || input.rank > 2 ? 'mask' : 'tabular');
  check(mode === 'tabular' || mode === 'mask', 'option', () => `${fn}: mode must be 'tabular' or 'mask'; found '${String(mode)}'`);
  const samples = options.samples ?? (mode === 'tabular' ? 5000 : 1000);
  check(Number.isInteger(samples) && samples >= 2, 'option', () => `${fn}: samples must be an integer ≥ 2 (the instance and its perturbations); found ${samples}`);
  check(options.kernelWidth === undefined || options.kernelWidth > 0, 'option', () => `${fn}: kernelWidth must be > 0; found ${options.kernelWidth}`);
  const ridge = options.ridge ?? 1;
  check(Number.isFinite(ridge) && ridge >= 0, 'option', () => `${fn}: ridge must be a finite number ≥ 0; found ${ridge}`);
  return mode === 'tabular' ? limeTabular(model, input, options, samples, ridge, fn) : limeMask(model, input, options, samples, ridge, fn);
}

async function limeMask(model: Model, input: tf.Tensor, options: LimeOptions, samples: number, ridge: number, fn: string): Promise<Attribution> {
  check(options.trainingData === undefined, 'option', () => `${fn}: trainingData is for mode 'tabular'; mode 'mask' replaces absent features by the baseline`);
  const game = await coalitionEvaluator(model, input, options, fn);
  try {
    const rng = new Rng(options.seed ?? DEFAULT_SEED);
    const z = game.features.map((k) => uniformCoalitions(k, samples, rng));
    const examples = new Int32Array(game.n * samples);
    const coalitions = new Uint8Array(examples.length * game.stride);
    z.forEach((rows, e) => {
      const k = game.features[e];
      examples.fill(e, e * samples, (e + 1) * samples);
      for (let i = 0; i < samples; i++) coalitions.set(rows.subarray(i * k, (i + 1) * k), (e * samples + i) * game.stride);
    });
    const y = await game.evaluate(examples, coalitions);
    const fits = z.map((rows, e) => {
      const k = game.features[e];
      const distance = Float64Array.from({ length: samples }, (_, i) => {
        let on = 0;
        for (let j = 0; j < k; j++) on += rows[i * k + j];
        return on === 0 ? 1 : 1 - Math.sqrt(on / k);
      });
      return kernelFit(rows, y.subarray(e * samples, (e + 1) * samples), distance, k, options.kernelWidth ?? 0.25, ridge);
    });
    const values = game.spread(fits.map((f) => f.coef));
    const meta = limeMeta(fits, z, y, samples, options, game.modelCalls(), { featureLabels: game.labels });
    return makeAttribution('lime', values, game.target.classes, meta);
  } finally {
    game.dispose();
  }
}

async function limeTabular(model: Model, input: tf.Tensor, options: LimeOptions, samples: number, ridge: number, fn: string): Promise<Attribution> {
  check(options.featureMask === undefined, 'option', () => `${fn}: featureMask is for mode 'mask'; tabular LIME perturbs every feature`);
  const n = input.shape[0];
  const one = input.shape.slice(1);
  const d = one.reduce((a, b) => a * b, 1);
  check(options.featureNames === undefined || options.featureNames.length === d, 'option', () =>
    `${fn}: featureNames has ${options.featureNames?.length} names; expected one per feature (${d})`);
  const warnings: string[] = [];
  const stats = await trainingStatistics(input, options, d, n, fn, warnings);
  const batchSize = batchSizeOf(model, options, fn);
  let calls = 0;
  const counted = countingCalls(model, () => calls++);
  const target = await resolveTarget(counted, input, options.target, fn);
  const x = await input.data();
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  const discretize = options.discretize ?? true;
  const rows = new Float32Array(n * samples * d);
  const surrogateX: Float64Array[] = [];
  for (let e = 0; e < n; e++) {
    const xe = x.subarray(e * d, (e + 1) * d);
    const { data, features } = discretize ? quartileSamples(xe, stats, samples, rng) : gaussianSamples(xe, stats, samples, rng);
    rows.set(data, e * samples * d);
    surrogateX.push(features);
  }
  const examples = new Int32Array(n * samples);
  for (let e = 0; e < n; e++) examples.fill(e, e * samples, (e + 1) * samples);
  // `counted` tallies these calls too, so scoreRows' own count is not added again.
  const { scores: y } = await scoreRows(counted, target, examples, (s, t) => tf.tensor(rows.subarray(s * d, t * d), [t - s, ...one]), batchSize, options, fn);
  const width = options.kernelWidth ?? 0.75 * Math.sqrt(d);
  const fits = surrogateX.map((features, e) => {
    const distance = Float64Array.from({ length: samples }, (_, i) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += (features[i * d + j] - features[j]) ** 2;
      return Math.sqrt(s);
    });
    return kernelFit(features, y.subarray(e * samples, (e + 1) * samples), distance, d, width, ridge);
  });
  const values = tf.tensor(Float32Array.from(fits.flatMap((f) => Array.from(f.coef))), [n, ...one]);
  const meta = limeMeta(fits, surrogateX, y, samples, options, calls, {
    ...(warnings.length ? { warnings } : {}),
    ...(discretize ? { bins: stats.bins.map((b) => b.cuts) } : {}),
  });
  return makeAttribution('lime', values, target.classes, meta);
}

/** Statistics from `trainingData` (checked against the input) or, with a warning, from the explained batch. */
async function trainingStatistics(input: tf.Tensor, options: LimeOptions, d: number, n: number, fn: string, warnings: string[]): Promise<TabularStatistics> {
  const t = options.trainingData;
  if (t === undefined) {
    check(n >= 2, 'option', () => `${fn}: tabular LIME samples from training-data statistics; give trainingData [M, ${input.shape.slice(1)}] (or explain at least 2 examples)`);
    warnings.push(`no trainingData: LIME's sampling statistics come from the ${n} explained examples`);
    return tabularStatistics(await input.data(), n, d);
  }
  check(t instanceof tf.Tensor && t.rank === input.rank && t.shape.slice(1).every((s, i) => s === input.shape[i + 1]), 'shape', () =>
    `${fn}: trainingData must be [M, ${input.shape.slice(1)}]; found ${t instanceof tf.Tensor ? `[${t.shape}]` : typeof t}`);
  const data = await t.data();
  check(data.every((v) => Number.isFinite(v)), 'input', () => `${fn}: trainingData contains NaN or infinite values`);
  return tabularStatistics(data, t.shape[0], d);
}

/** lime's discretised sampling: row 0 is the instance; each other row draws every feature's bin by frequency and a value in it. */
function quartileSamples(x: ArrayLike<number>, stats: TabularStatistics, samples: number, rng: Rng): { data: Float32Array; features: Float64Array } {
  const d = stats.bins.length;
  const data = new Float32Array(samples * d);
  const features = new Float64Array(samples * d);
  for (let j = 0; j < d; j++) {
    const bins = stats.bins[j];
    const own = binOf(bins.cuts, x[j]);
    data[j] = x[j];
    features[j] = 1;
    for (let i = 1; i < samples; i++) {
      let u = rng.uniform();
      let b = 0;
      while (b < bins.frequency.length - 1 && u >= bins.frequency[b]) u -= bins.frequency[b++];
      while (bins.frequency[b] === 0 && b > 0) b--;
      data[i * d + j] = sampleInBin(bins, b, rng);
      features[i * d + j] = b === own ? 1 : 0;
    }
  }
  return { data, features };
}

/** lime without discretisation: rows N(mean, std) per feature (row 0 the instance); the surrogate sees standardised values. */
function gaussianSamples(x: ArrayLike<number>, stats: TabularStatistics, samples: number, rng: Rng): { data: Float32Array; features: Float64Array } {
  const d = stats.mean.length;
  const data = new Float32Array(samples * d);
  const features = new Float64Array(samples * d);
  for (let i = 0; i < samples; i++) {
    for (let j = 0; j < d; j++) {
      const v = i === 0 ? x[j] : stats.mean[j] + stats.std[j] * rng.normal();
      data[i * d + j] = v;
      features[i * d + j] = stats.std[j] > 0 ? (v - stats.mean[j]) / stats.std[j] : 0;
    }
  }
  return { data, features };
}

/** The kernel-weighted ridge fit of y on the surrogate features. */
function kernelFit(features: ArrayLike<number>, y: ArrayLike<number>, distance: Float64Array, cols: number, width: number, ridge: number): WeightedLinearFit {
  const w = Float64Array.from(distance, (dist) => Math.sqrt(Math.exp(-(dist * dist) / (width * width))));
  return weightedLinearFit(features, y, w, cols, { ridge, intercept: true });
}

/** `instance[e]`: the surrogate's features of example e itself (row 0 of its samples). */
function limeMeta(
  fits: readonly WeightedLinearFit[],
  instance: readonly ArrayLike<number>[],
  y: Float64Array,
  samples: number,
  options: LimeOptions,
  modelCalls: number,
  extra: Readonly<Record<string, unknown>>,
): AttributionMeta {
  return {
    intercept: fits.map((f) => f.intercept),
    r2: fits.map((f) => f.r2),
    localPrediction: fits.map((f, e) => f.intercept + f.coef.reduce((a, c, j) => a + c * instance[e][j], 0)),
    score: fits.map((_, e) => y[e * samples]),
    featureValues: fits.map((f) => Array.from(f.coef)),
    ...(options.featureNames ? { featureNames: [...options.featureNames] } : {}),
    samples,
    modelCalls,
    ...extra,
  };
}
