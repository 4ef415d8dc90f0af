import type * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import type { AttributionPreprocessing, AttributionSource, MetricOptions, MetricOutput, MetricResult, PerturbBaseline } from './result.js';
import { argsort, attributionArrays, baselineValue, evaluateInputs, evaluateRows, geometryOf, metricResult, prepareMetric, preprocess, type MetricContext } from './shared.js';

/** Options of `regionPerturbation` (and of `selectivity` and `aopc`). */
export interface RegionPerturbationOptions extends MetricOptions, AttributionPreprocessing {
  /** Side of the square regions, in pixels (default 8). */
  readonly patchSize?: number;
  /** 'morf': most relevant first (default); 'lerf': least relevant first. */
  readonly order?: 'morf' | 'lerf';
  /** Regions removed (default: all). */
  readonly regions?: number;
  /** Value of removed pixels (default 'black'). */
  readonly baseline?: PerturbBaseline;
  /** Output watched (default `'probabilities'`: the target's probability, a softmax only of logits; see MetricOutput). */
  readonly output?: MetricOutput;
}

/** Each example's curve of outputs after removing 1, 2, … regions, plus the unperturbed output. */
export interface RegionCurves {
  readonly ctx: MetricContext;
  readonly start: Float32Array;
  readonly curves: number[][];
}

/**
 * The patch grid of an H × W image: square blocks of `p` pixels, centred as Quantus pads (when p
 * does not divide H, ⌊(p − H mod p)/2⌋ pixels of padding on top), blocks clipped at the border.
 * Returns the pixel indices of each region.
 */
export function patchRegions(h: number, w: number, p: number): Int32Array[] {
  const off = (d: number): number => (d % p === 0 ? 0 : Math.floor((p - (d % p)) / 2));
  const [top, left] = [off(h), off(w)];
  const [ny, nx] = [Math.ceil((h + top) / p), Math.ceil((w + left) / p)];
  const regions: Int32Array[] = [];
  for (let by = 0; by < ny; by++) {
    for (let bx = 0; bx < nx; bx++) {
      const px: number[] = [];
      for (let y = Math.max(0, by * p - top); y < Math.min(h, (by + 1) * p - top); y++) {
        for (let x = Math.max(0, bx * p - left); x < Math.min(w, (bx + 1) * p - left); x++) px.push(y * w + x);
      }
      if (px.length) regions.push(Int32Array.from(px));
    }
  }
  return regions;
}

/** Runs the region-removal curves shared by region perturbation, selectivity and AOPC. */
export async function regionCurves(model: Model, input: tf.Tensor, attributions: AttributionSource, options: RegionPerturbationOptions, fn: string): Promise<RegionCurves> {
  const ctx = await prepareMetric(model, input, options, fn);
  const p = options.patchSize ?? 8;
  check(Number.isInteger(p) && p >= 1, 'option', () => `${fn}: patchSize must be a positive integer; found ${p}`);
  const g = geometryOf(model, ctx.features);
  const regions = patchRegions(g.h, g.w, p);
  const R = Math.min(options.regions ?? regions.length, regions.length);
  const output = options.output ?? 'probabilities';
  const a = preprocess(await attributionArrays(ctx, input, attributions), options, { normalise: 'example', abs: false });
  const orders = a.map((v) => {
    const sums = regions.map((px) => px.reduce((s, q) => { for (let c = 0; c < g.c; c++) s += v[q * g.c + c]; return s; }, 0));
    return argsort(sums, (options.order ?? 'morf') === 'morf');
  });
  const base = ctx.x.map((x) => baselineValue(x, options.baseline ?? 'black', fn));
  const { values } = await evaluateRows(ctx, ctx.n * R, (r) => Math.floor(r / R), (r, out) => {
    const i = Math.floor(r / R);
    out.set(ctx.x[i]);
    for (let k = 0; k <= r % R; k++) for (const q of regions[orders[i][k]]) for (let c = 0; c < g.c; c++) out[q * g.c + c] = base[i];
  }, output);
  const start = (await evaluateInputs(ctx, output)).values;
  const curves = Array.from({ length: ctx.n }, (_, i) => Array.from(values.subarray(i * R, (i + 1) * R)));
  return { ctx, start, curves };
}

/**
 * Region perturbation (Samek et al., "Evaluating the Visualization of What a Deep Neural Network
 * Has Learned", IEEE TNNLS 2017): removes square regions cumulatively in attribution order and
 * records the drop f(x) − f(x′). `curves` hold the drops after 1, 2, … regions (Quantus' layout);
 * the score is the AOPC, the mean drop over the L + 1 points including the unperturbed 0 (higher is
 * better for 'morf', lower for 'lerf').
 */
export async function regionPerturbation(model: Model, input: tf.Tensor, attributions: AttributionSource, options: RegionPerturbationOptions = {}): Promise<MetricResult> {
  const { ctx, start, curves } = await regionCurves(model, input, attributions, options, 'regionPerturbation');
  const drops = curves.map((c, i) => c.map((v) => start[i] - v));
  const scores = drops.map((d) => d.reduce((s, v) => s + v, 0) / (d.length + 1));
  return metricResult(ctx, 'region-perturbation', (options.order ?? 'morf') === 'morf' ? 'higher' : 'lower', scores, { curves: drops });
}
