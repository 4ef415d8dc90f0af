/**
 * The machinery every metric shares: checking arguments, getting attributions (given or computed),
 * pre-processing them, feature orders, baselines, evaluating perturbed copies in batches, and the
 * small statistics (Pearson, Spearman, trapezoid) the metrics are made of.
 */
import * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../core/attribution.js';
import { batchSizeOf } from '../core/batching.js';
import { warnOnce } from '../core/deprecated-option.js';
import { check, LumenError } from '../core/errors.js';
import type { MethodOptions } from '../core/method-info.js';
import { outputKindOf, type Model, type OutputKind } from '../core/model.js';
import { outputScore, resolveOutputKind, watchedOutput } from '../core/perturbation/class-probability.js';
import { scorePerturbations } from '../core/perturbation/perturbation-batcher.js';
import type { LocalMethod } from '../core/options.js';
import { resolveTarget, type ResolvedTarget, type Target } from '../core/target.js';
import { checkInput } from '../core/validate.js';
import { localMethodById } from '../methods.js';
import type {
  AttributionPreprocessing,
  AttributionSource,
  Explainer,
  MetricDirection,
  MetricOptions,
  MetricOutput,
  MetricResult,
  PerturbBaseline,
} from './result.js';

/** What a metric knows once its arguments are checked. */
export interface MetricContext {
  readonly fn: string;
  readonly model: Model;
  readonly n: number;
  /** Scalars per example (the product of the input shape). */
  readonly features: number;
  /** Each example's input values, flattened (NHWC for images). */
  readonly x: readonly Float32Array[];
  readonly target: ResolvedTarget;
  /** The target passed on to methods the metric runs (classes per example, or the function). */
  readonly explainTarget: Target;
  readonly batchSize: number;
  /** What the model returns (the `outputKind` option, else the model's own, else detected: `resolveOutputKind`). */
  readonly outputKind: OutputKind;
  readonly options: MetricOptions;
  /** Model calls so far (increased by evaluateRows and explain). */
  calls: number;
}

/**
 * Checks the input and options and resolves the target: the entry of every metric. With no
 * `batchSize`, forward batches hold the model's memory budget's rows (`budgetBatchSize`), as the
 * methods' do.
 */
export async function prepareMetric(model: Model, input: tf.Tensor, options: MetricOptions, fn: string): Promise<MetricContext> {
  checkInput(model, input, fn);
  const batchSize = batchSizeOf(model, options, fn);
  const outputKind = await resolveOutputKind(model, input, options, fn);
  const target = await resolveTarget(model, input, options.target, fn);
  const n = input.shape[0];
  const features = input.size / n;
  const data = await input.data();
  const x = Array.from({ length: n }, (_, i) => Float32Array.from(data.subarray(i * features, (i + 1) * features)));
  const explainTarget: Target = target.classes ? [...target.classes] : (options.target as Target);
  return { fn, model, n, features, x, target, explainTarget, batchSize, outputKind, options, calls: 0 };
}

/** A method the metric can call, from a local method, a registry entry or a registry id. */
export function explainerOf(e: Explainer): LocalMethod<MethodOptions> {
  if (typeof e === 'function') return e;
  const info = typeof e === 'string' ? localMethodById(e) : e;
  return (m, x, o) => info.run(m, x, o);
}

/** Whether `a` is an Attribution (rather than a tensor or a method). */
export function isAttribution(a: unknown): a is Attribution {
  return typeof a === 'object' && a !== null && 'values' in a && (a as Attribution).values instanceof tf.Tensor;
}

/**
 * Runs `explainer` on rows `x` (one call: methods batch internally), explaining for each row the
 * class of example `examples[r]`, and returns each row's attribution, flattened.
 */
export async function explainRows(ctx: MetricContext, explainer: Explainer, x: tf.Tensor, examples: ArrayLike<number>): Promise<Float32Array[]> {
  const classes = ctx.target.classes;
  const target: Target = classes ? Array.from(examples, (e) => classes[e]) : ctx.explainTarget;
  const result = await explainerOf(explainer)(ctx.model, x, { ...ctx.options.explainOptions, target, seed: ctx.options.explainOptions?.seed ?? ctx.options.seed });
  ctx.calls++;
  try {
    return splitRows(await result.values.data(), x.shape[0]);
  } finally {
    result.dispose();
  }
}

/** Splits a flat array of `rows` equal rows. */
export function splitRows(data: ArrayLike<number>, rows: number): Float32Array[] {
  const size = data.length / rows;
  return Array.from({ length: rows }, (_, r) => Float32Array.from(Array.prototype.slice.call(data, r * size, (r + 1) * size) as number[]));
}

/**
 * The attributions a metric scores, one flat array per example: given values (checked to have the
 * input's shape, or — with `pixels` — one value per pixel, `[N, H, W, 1]` or `[N, H, W]`, as
 * attributions reduced over channels are), an Attribution's values, or a method's output on the inputs.
 */
export async function attributionArrays(ctx: MetricContext, input: tf.Tensor, source: AttributionSource, pixels?: number): Promise<Float32Array[]> {
  let values: tf.Tensor;
  if (source instanceof tf.Tensor) values = source;
  else if (isAttribution(source)) values = source.values;
  else {
    const examples = Int32Array.from({ length: ctx.n }, (_, i) => i);
    return explainRows(ctx, source, input, examples);
  }
  const perPixel = pixels !== undefined && values.size === ctx.n * pixels;
  check((values.size === input.size || perPixel) && values.shape[0] === input.shape[0], 'shape', () =>
    `${ctx.fn}: attributions must have the input's shape [${input.shape}]` +
    (pixels !== undefined ? ` or one value per pixel [${[...input.shape.slice(0, -1), 1]}]` : '') + `; found [${values.shape}]`);
  return splitRows(await values.data(), ctx.n);
}

/**
 * Per example, the attribution of every pixel: the input-shaped attributions pre-processed
 * (`pre`, see AttributionPreprocessing) and summed over channels, or attributions already reduced
 * over channels (`[N, H, W, 1]`, `[N, H, W]`) pre-processed as they are (Quantus accepts both).
 */
export async function pixelAttributions(
  ctx: MetricContext, input: tf.Tensor, source: AttributionSource, pre: AttributionPreprocessing, defaults: Required<AttributionPreprocessing>,
): Promise<Float64Array[]> {
  const g = geometryOf(ctx.model, ctx.features);
  const pixels = g.h * g.w;
  return preprocess(await attributionArrays(ctx, input, source, pixels), pre, defaults).map((v) => (v.length === pixels && g.c > 1 ? Float64Array.from(v) : pixelSums(v, g)));
}

/** Applies the normalisation and absolute value of `pre` (see AttributionPreprocessing). */
export function preprocess(a: readonly Float32Array[], pre: AttributionPreprocessing, defaults: Required<AttributionPreprocessing>): Float32Array[] {
  const normalise = pre.normalise ?? defaults.normalise;
  const abs = pre.abs ?? defaults.abs;
  const maxAbs = (v: Float32Array): number => v.reduce((m, t) => Math.max(m, Math.abs(t)), 0);
  const batchMax = a.reduce((m, v) => Math.max(m, maxAbs(v)), 0);
  return a.map((v) => {
    const scale = normalise === 'batch' ? batchMax : normalise === 'example' ? maxAbs(v) : 0;
    const out = Float32Array.from(v);
    // Float32 data scaled in float64 then stored: the order of values is kept exactly.
    for (let f = 0; f < out.length; f++) {
      let t = scale > 0 ? v[f] / scale : v[f];
      if (abs) t = Math.abs(t);
      out[f] = t;
    }
    return out;
  });
}

/** Indices sorting `v` (descending or ascending), stable: ties keep their index order. */
export function argsort(v: ArrayLike<number>, descending: boolean): Int32Array {
  const idx = Array.from({ length: v.length }, (_, i) => i);
  idx.sort((i, j) => (descending ? v[j] - v[i] : v[i] - v[j]) || i - j);
  return Int32Array.from(idx);
}

/**
 * The value a removed feature takes in example `x`: a constant, its min (`'black'`), max
 * (`'white'`) or the mean of all its scalars (`'example-mean'`). `'mean'` is the old name of
 * `'example-mean'` here (a warning): everywhere else `'mean'` is src/core/baseline.ts' per-channel
 * mean of images, which the metrics' single fill value cannot express.
 */
export function baselineValue(x: Float32Array, baseline: PerturbBaseline, fn: string): number {
  if (typeof baseline === 'number') return baseline;
  switch (baseline) {
    case 'zeros':
      return 0;
    case 'black':
      return x.reduce((m, v) => Math.min(m, v), Infinity);
    case 'white':
      return x.reduce((m, v) => Math.max(m, v), -Infinity);
    case 'mean':
      warnOnce(`${fn}:baseline=mean`, `${fn}: baseline 'mean' of a metric (the mean of all of an example's scalars) is deprecated and will be removed in the next release; use 'example-mean'`);
      return x.reduce((s, v) => s + v, 0) / x.length;
    case 'example-mean':
      return x.reduce((s, v) => s + v, 0) / x.length;
    default:
      throw new LumenError('option', `${fn}: baseline must be a number, 'black', 'white', 'example-mean' or 'zeros'; found '${String(baseline)}'`);
  }
}

/** What evaluateRows returns: the watched output of every row and its arg-max class. */
export interface RowScores {
  readonly values: Float32Array;
  readonly predicted: Int32Array;
}

/**
 * Evaluates `total` perturbed rows through the perturbation batcher (`scorePerturbations`,
 * `ctx.batchSize` rows per model call): `fill(r, out)` writes row r's input into `out`,
 * `exampleOf(r)` names the example whose target row r is scored for. Returns the target's score on
 * the scale `output` (`'probabilities'`: softmax of logits, the outputs of a model that returns
 * probabilities — `ctx.outputKind` —; `'logits'`: the raw outputs) and each row's predicted class.
 */
export async function evaluateRows(
  ctx: MetricContext,
  total: number,
  exampleOf: (r: number) => number,
  fill: (r: number, out: Float32Array) => void,
  output: MetricOutput,
): Promise<RowScores> {
  const F = ctx.features;
  const shape = ctx.model.inputShape.length ? ctx.model.inputShape : [F];
  const examples = Int32Array.from({ length: total }, (_, r) => exampleOf(r));
  const plan = {
    examples,
    build(start: number, end: number): tf.Tensor {
      const buf = new Float32Array((end - start) * F);
      for (let r = start; r < end; r++) fill(r, buf.subarray((r - start) * F, (r - start + 1) * F));
      return tf.tensor(buf, [end - start, ...shape]);
    },
  };
  const score = outputScore(ctx.target, ctx.outputKind, watchedOutput(output, 'probabilities', ctx.fn));
  const { scores, predicted, calls } = await scorePerturbations(ctx.model, plan, score, ctx.batchSize, ctx.options, ctx.fn);
  ctx.calls += calls;
  return { values: scores, predicted };
}

/** The watched output at each example's unperturbed input. */
export async function evaluateInputs(ctx: MetricContext, output: MetricOutput): Promise<RowScores> {
  return evaluateRows(ctx, ctx.n, (r) => r, (r, out) => out.set(ctx.x[r]), output);
}

/** Pearson correlation of two equally long samples (NaN when either is constant). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/** Ranks 1…n with ties given their average rank (as scipy.stats.rankdata). */
export function averageRanks(v: ArrayLike<number>): Float64Array {
  const order = argsort(v, false);
  const ranks = new Float64Array(v.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && v[order[j + 1]] === v[order[i]]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/** Spearman rank correlation: Pearson correlation of average ranks. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(averageRanks(a), averageRanks(b));
}

/** Trapezoidal area under `y` sampled every `dx`. */
export function trapezoid(y: ArrayLike<number>, dx = 1): number {
  let s = 0;
  for (let i = 1; i < y.length; i++) s += ((y[i - 1] + y[i]) / 2) * dx;
  return s;
}

/** The mean of the finite values (NaN when there is none). */
export function finiteMean(v: ArrayLike<number>): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < v.length; i++) {
    if (Number.isFinite(v[i])) {
      s += v[i];
      k++;
    }
  }
  return k ? s / k : NaN;
}

/** Builds a MetricResult with the aggregate as the mean of the finite scores. */
export function metricResult(
  ctx: Pick<MetricContext, 'calls'>,
  metric: string,
  direction: MetricDirection,
  scores: ArrayLike<number>,
  extra: { curves?: readonly (readonly number[])[]; details?: Readonly<Record<string, unknown>> } = {},
): MetricResult {
  const s = Array.from(scores);
  return { metric, scores: s, aggregate: finiteMean(s), direction, modelCalls: ctx.calls, ...extra };
}

/** Image geometry of an NHWC example [H, W, C] (tabular inputs are one row of F pixels). */
export interface Geometry {
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/** The geometry of a model's input: [H, W, C] images, [H, W] maps, or [F] vectors as 1 × F. */
export function geometryOf(model: Model, features: number): Geometry {
  const s = model.inputShape;
  if (s.length === 3) return { h: s[0], w: s[1], c: s[2] };
  if (s.length === 2) return { h: s[0], w: s[1], c: 1 };
  return { h: 1, w: features, c: 1 };
}

/** Sums an example's attribution over channels: one value per pixel. */
export function pixelSums(a: Float32Array, g: Geometry): Float64Array {
  const out = new Float64Array(g.h * g.w);
  for (let p = 0; p < out.length; p++) for (let c = 0; c < g.c; c++) out[p] += a[p * g.c + c];
  return out;
}

/**
 * Writes x with the features `order[0 … count)` set to `value` into `out` (the cumulative
 * perturbation of deletion curves).
 */
export function fillRemoved(out: Float32Array, x: Float32Array, order: ArrayLike<number>, count: number, value: number): void {
  out.set(x);
  for (let k = 0; k < count; k++) out[order[k]] = value;
}

/** Number of steps of `featuresPerStep` features that cover `features` (the last may be partial). */
export function stepsOf(features: number, featuresPerStep: number, fn: string): number {
  check(Number.isInteger(featuresPerStep) && featuresPerStep >= 1, 'option', () => `${fn}: featuresPerStep must be a positive integer; found ${featuresPerStep}`);
  return Math.ceil(features / featuresPerStep);
}
