import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import { Rng } from '../../core/random.js';
import { conditionalGaussian, meanAndCovariance, type ConditionalGaussian } from './conditional-gaussian.js';
import { featureMembers, resolveFeatureMask, type FeatureMask } from '../../core/perturbation/feature-mask.js';
import { classProbability, type OutputKindOption } from '../../core/perturbation/class-probability.js';
import { renamedOption } from '../../core/deprecated-option.js';
import { maskedPlan, preparePerturbation, scoreInputs, scorePerturbations, type PerturbationPlan } from '../../core/perturbation/perturbation-batcher.js';
import { slidingWindows, windowSizes, type WindowShape, type WindowStrides } from './sliding-windows.js';

/** Options of `predictionDifference`; `batchSize` is the number of sampled copies per model call. */
export interface PredictionDifferenceOptions extends LocalOptions {
  /**
   * How the removed feature is imputed: `'marginal'` samples its values from `baselines` at the same
   * place; `'conditional'` (images only; the default there) samples them from a Gaussian over
   * l × l patches conditioned on the surrounding frame of the window.
   */
  readonly sampling?: 'marginal' | 'conditional';
  /** The square window slid over images: k, `[k, k]` or `[k, k, C]` (default k = ⌈min(H, W)/7⌉; see WindowShape). */
  readonly window?: WindowShape;
  /** Step of the window, the same on both axes: s or `[s, s]` (default 1, as in the paper). */
  readonly strides?: WindowStrides;
  /** @deprecated The old name of `strides`; removed in the next release. */
  readonly stride?: number;
  /** Frame width around the window for conditional sampling: l = k + 2 · padding (default 2). */
  readonly padding?: number;
  /** Samples per removed feature (default 10, as in the paper). */
  readonly samples?: number;
  /** Examples `[M, ...inputShape]` that stand for the data distribution, the distribution of baselines imputed from (default: the input batch). */
  readonly baselines?: tf.Tensor;
  /** @deprecated The old name of `baselines`; removed in the next release. */
  readonly data?: tf.Tensor;
  /** Features of non-image inputs (shared by all examples; default `'scalars'`). */
  readonly featureMask?: FeatureMask;
  /** What the model returns (default: the model's `outputKind`, else `'auto'`; see OutputKindOption). Logits are softmaxed. */
  readonly outputKind?: OutputKindOption;
  /** @deprecated The old name of `outputKind`; removed in the next release. */
  readonly outputs?: OutputKindOption;
  /** Training-set size N of the Laplace correction p ← (pN + 1)/(N + K); default none (p clamped to [1e-7, 1 − 1e-7]). */
  readonly trainingSize?: number;
}

/**
 * Prediction difference analysis: the relevance of a feature x_i for class c is the weight of
 * evidence WE_i = log₂ odds p(c|x) − log₂ odds p(c|x∖i), where p(c|x∖i) = Σ p(x_i|x∖i) p(c|x∖i, x_i)
 * is estimated from `samples` imputations of x_i (Zintgraf, Cohen, Adel & Welling, "Visualizing Deep
 * Neural Network Decisions: Prediction Difference Analysis", ICLR 2017; Robnik-Šikonja &
 * Kononenko 2008). On images x_i is a k × k window (all channels) slid with `stride`, imputed from
 * the marginal (the same window of a random example of `baselines`) or conditionally on its l × l
 * surroundings (a Gaussian fitted to the l × l patches of `baselines`, the image mirrored at its
 * borders); each pixel gets the mean WE of the windows covering it. Other inputs use feature
 * groups with marginal sampling. Positive values support the class, negative ones speak against it.
 * Forward passes only, `batchSize` imputed copies per model call, seeded.
 */
export async function predictionDifference(model: Model, input: tf.Tensor, given: PredictionDifferenceOptions = {}): Promise<Attribution> {
  const fn = 'predictionDifference';
  const shape = input.shape.slice(1);
  const options = squareWindow(given, shape, fn);
  const image = shape.length === 3;
  const sampling = options.sampling ?? (image ? 'conditional' : 'marginal');
  const samples = options.samples ?? 10;
  check(sampling === 'marginal' || sampling === 'conditional', 'option', () => `${fn}: sampling must be 'marginal' or 'conditional'; found '${String(sampling)}'`);
  check(image || sampling === 'marginal', 'option', () => `${fn}: conditional sampling models image patches; examples of shape [${shape}] need sampling: 'marginal'`);
  check(Number.isInteger(samples) && samples >= 1, 'option', () => `${fn}: samples must be a positive integer; found ${samples}`);
  check(options.trainingSize === undefined || options.trainingSize > 0, 'option', () => `${fn}: trainingSize must be positive; found ${options.trainingSize}`);
  const distribution = renamedOption<tf.Tensor>(options, 'baselines', 'data', fn);
  const data = distribution ?? input;
  check(data instanceof tf.Tensor && data.rank === input.rank && data.shape.slice(1).every((d, i) => d === shape[i]), 'shape', () =>
    `${fn}: baselines must be examples [M, ${shape}]; found ${data instanceof tf.Tensor ? `[${data.shape}]` : typeof data}`);
  const size = shape.reduce((a, b) => a * b, 1);
  const { regions, covered } = image ? imageRegions(shape, options, fn) : maskRegions(options.featureMask, shape, input.shape[0], fn, input);
  const ctx = await preparePerturbation(model, input, options, fn);
  const { score } = await classProbability(model, input, ctx.target, options, fn);
  const rows = ctx.n * regions.length * samples;
  const examples = Int32Array.from({ length: rows }, (_, r) => Math.floor(r / (regions.length * samples)));
  const regionOf = (r: number): number => Math.floor(r / samples) % regions.length;
  const rng = new Rng(ctx.seed);
  const warnings: string[] = [];
  let plan: PerturbationPlan;
  if (sampling === 'marginal') {
    const m = data.shape[0];
    if (m === 1 && distribution === undefined) warnings.push("marginal sampling from a batch of one example imputes the example itself (every value is 0); pass the data distribution in 'baselines'");
    const sources = Int32Array.from({ length: rows }, () => rng.int(m));
    plan = maskedPlan(input, data, examples, shape, (r, mask) => {
      mask.fill(1);
      for (const j of regions[regionOf(r)]) mask[j] = 0;
    }, (r) => sources[r]);
  } else {
    plan = await conditionalPlan(input, data, examples, regions.length, samples, shape, options, rng, fn, warnings);
  }
  const full = await scoreInputs(model, input, score, ctx.batchSize, fn);
  const { scores, calls } = await scorePerturbations(model, plan, score, ctx.batchSize, options, fn);
  for (const p of [...full.scores, ...scores]) {
    check(p >= -1e-6 && p <= 1 + 1e-6, 'numeric', () => `${fn}: the model's target score ${p} is not a probability; pass outputKind: 'logits' for a model that returns logits`);
  }
  const classes = model.outputShape.reduce((a, b) => a * b, 1);
  const logOdds = (p: number): number => {
    const q = options.trainingSize !== undefined ? (p * options.trainingSize + 1) / (options.trainingSize + classes) : Math.min(1 - 1e-7, Math.max(1e-7, p));
    return Math.log2(q / (1 - q));
  };
  const values = new Float32Array(ctx.n * size);
  for (let e = 0; e < ctx.n; e++) {
    const base = logOdds(full.scores[e]);
    for (let k = 0; k < regions.length; k++) {
      let p = 0;
      for (let s = 0; s < samples; s++) p += scores[(e * regions.length + k) * samples + s];
      const we = base - logOdds(p / samples);
      for (const j of regions[k]) values[e * size + j] += we / covered[j];
    }
  }
  return makeAttribution('prediction-difference', tf.tensor(values, input.shape), ctx.target.classes, {
    modelCalls: calls + full.calls,
    sampling,
    samples,
    features: new Array<number>(ctx.n).fill(regions.length),
    ...(warnings.length ? { warnings } : {}),
  });
}

/** The options with the window as its side k and the strides as one step s (checked on images). */
interface SquareWindowOptions extends PredictionDifferenceOptions {
  readonly window?: number;
  readonly strides?: number;
}

function squareWindow(options: PredictionDifferenceOptions, shape: readonly number[], fn: string): SquareWindowOptions {
  const side = (v: WindowShape | undefined, name: string, spatial: boolean): number | undefined => {
    if (v === undefined || typeof v === 'number' || shape.length !== 3) return v as number | undefined;
    const sizes = spatial ? windowSizes(shape, v, fn) : v;
    check(sizes.length >= 2 && sizes.length <= 3 && sizes[0] === sizes[1] && (sizes.length === 2 || !spatial || sizes[2] === shape[2]), 'option', () =>
      `${fn}: ${name} must be square on images: k or [k, k]${spatial ? ` or [k, k, ${shape[2]}]` : ''}; found [${sizes}]`);
    return sizes[0];
  };
  return { ...options, window: side(options.window, 'window', true), strides: side(renamedOption<WindowStrides>(options, 'strides', 'stride', fn), 'strides', false) };
}

/** The k × k windows (every channel) over images, and how many cover each scalar. */
function imageRegions(shape: readonly number[], options: SquareWindowOptions, fn: string): { regions: Int32Array[]; covered: Float64Array } {
  const [h, w, c] = shape;
  const k = options.window ?? Math.ceil(Math.min(h, w) / 7);
  const stride = options.strides ?? 1;
  check(Number.isInteger(k) && k >= 1 && k <= Math.min(h, w), 'option', () => `${fn}: window must be an integer in 1…${Math.min(h, w)}; found ${k}`);
  check(Number.isInteger(stride) && stride >= 1, 'option', () => `${fn}: strides must be a positive integer; found ${stride}`);
  const windows = slidingWindows(shape, [k, k, c], [stride, stride, c], 'fit');
  const regions = Array.from({ length: windows.count }, (_, i) => windows.indices(i));
  const covered = new Float64Array(h * w * c);
  for (const r of regions) for (const j of r) covered[j]++;
  return { regions, covered };
}

function maskRegions(spec: FeatureMask | undefined, shape: readonly number[], n: number, fn: string, input: tf.Tensor): { regions: Int32Array[]; covered: Float64Array } {
  const mask = resolveFeatureMask(spec, shape, n, fn, input);
  check(mask.shared, 'shape', () => `${fn}: the feature mask must be the same for every example`);
  return { regions: featureMembers(mask, 0), covered: new Float64Array(mask.size).fill(1) };
}

/**
 * Rows for conditional sampling: row ((e · K) + k) · S + s is example e with window k replaced by a
 * sample of the Gaussian of l × l patches conditioned on the window's frame. Rows are built in
 * order, so one Rng stream gives the same samples whatever the batch size.
 */
async function conditionalPlan(
  input: tf.Tensor,
  data: tf.Tensor,
  examples: Int32Array,
  regionCount: number,
  samples: number,
  shape: readonly number[],
  options: SquareWindowOptions,
  rng: Rng,
  fn: string,
  warnings: string[],
): Promise<PerturbationPlan> {
  const [h, w, c] = shape;
  const k = options.window ?? Math.ceil(Math.min(h, w) / 7);
  const pad = options.padding ?? 2;
  check(Number.isInteger(pad) && pad >= 0, 'option', () => `${fn}: padding must be a non-negative integer; found ${pad}`);
  const l = k + 2 * pad;
  check(pad <= Math.min(h, w), 'option', () => `${fn}: padding ${pad} must be at most the image side (${Math.min(h, w)}) to be mirrored at the border`);
  const d = l * l * c;
  const xs = await input.data();
  const ds = await data.data();
  // Fit the Gaussian on (at most 20,000, seeded) l × l patches of the data, at every position of
  // the images mirrored at their borders (as the frames of windows near a border are).
  const mirror = (v: number, n: number): number => (v < 0 ? -v - 1 : v >= n ? 2 * n - v - 1 : v);
  const m = data.shape[0];
  const per = h * w;
  const take = Math.min(m * per, 20000);
  const pick = m * per <= take ? Int32Array.from({ length: take }, (_, i) => i) : Int32Array.from({ length: take }, () => rng.int(m * per));
  const patches = new Float64Array(take * d);
  pick.forEach((q, i) => {
    const img = Math.floor(q / per);
    const y0 = Math.floor((q % per) / w) - pad;
    const x0 = (q % per) % w - pad;
    for (let y = 0; y < l; y++) {
      for (let x = 0; x < l; x++) {
        const src = ((img * h + mirror(y0 + y, h)) * w + mirror(x0 + x, w)) * c;
        for (let ch = 0; ch < c; ch++) patches[i * d + (y * l + x) * c + ch] = ds[src + ch];
      }
    }
  });
  if (take <= d) warnings.push(`conditional sampling fitted a Gaussian over ${d} values to only ${take} patches (covariance regularised); give more examples in 'baselines'`);
  const { mean, cov } = meanAndCovariance(patches, d);
  const inner = new Int32Array(k * k * c);
  for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) for (let ch = 0; ch < c; ch++) inner[(y * k + x) * c + ch] = ((y + pad) * l + x + pad) * c + ch;
  const gauss: ConditionalGaussian = conditionalGaussian(mean, cov, d, inner, take <= d ? 1e-2 : 1e-4);
  const windows = slidingWindows(shape, [k, k, c], [options.strides ?? 1, options.strides ?? 1, c], 'fit');
  const frame = new Float64Array(gauss.outer.length);
  const mu = new Float64Array(inner.length);
  const draw = new Float64Array(inner.length);
  let lastGroup = -1;
  return {
    examples,
    build(start, end) {
      const out = new Float32Array((end - start) * h * w * c);
      for (let r = start; r < end; r++) {
        const e = examples[r];
        const row = out.subarray((r - start) * h * w * c, (r - start + 1) * h * w * c);
        row.set(xs.subarray(e * h * w * c, (e + 1) * h * w * c) as Float32Array);
        const [y0, x0] = windows.start(Math.floor(r / samples) % regionCount);
        const group = Math.floor(r / samples);
        if (group !== lastGroup) {
          gauss.outer.forEach((o, i) => {
            const ch = o % c;
            const px = Math.floor(o / c);
            const yy = mirror(y0 - pad + Math.floor(px / l), h);
            const xx = mirror(x0 - pad + (px % l), w);
            frame[i] = row[(yy * w + xx) * c + ch];
          });
          gauss.conditionalMean(frame, mu);
          lastGroup = group;
        }
        gauss.sample(frame, rng, draw, mu);
        for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) for (let ch = 0; ch < c; ch++) row[((y0 + y) * w + x0 + x) * c + ch] = draw[(y * k + x) * c + ch];
      }
      return tf.tensor(out, [end - start, h, w, c]);
    },
  };
}
