import type * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import type { AttributionPreprocessing, AttributionSource, MetricOptions, MetricOutput, MetricResult, PerturbBaseline } from './result.js';
import { argsort, attributionArrays, baselineValue, evaluateInputs, evaluateRows, geometryOf, metricResult, prepareMetric, preprocess, splitRows, trapezoid } from './shared.js';

/** Options of `irof`. */
export interface IrofOptions extends MetricOptions, AttributionPreprocessing {
  /** Segment label per pixel `[N, H, W]` (or `[N, H, W, 1]`), labels 0…n−1; default a grid of square cells. */
  readonly segments?: tf.Tensor;
  /** Side of the default grid cells in pixels (default 4). */
  readonly cellSize?: number;
  /**
   * Value of removed segments: a per-example baseline (default 'example-mean', the example's mean), or
   * 'batch-mean': the mean of the whole current batch, recomputed after every step (Quantus).
   */
  readonly baseline?: PerturbBaseline | 'batch-mean';
  /** Output watched (default `'probabilities'`: the target's probability, a softmax only of logits; see MetricOutput). */
  readonly output?: MetricOutput;
  /**
   * 'paper' (default): 1 − area under [1, r₁, …, rₙ] over [0, 1], in [0, 1]. 'quantus': n − trapz of
   * r₁…rₙ zero-padded to the batch's largest n (Quantus 0.6).
   */
  readonly convention?: 'paper' | 'quantus';
}

/**
 * Iterative removal of features, IROF (Rieger & Hansen, "IROF: a Low Resource Evaluation Metric
 * for Explanation Methods", 2020): removes segments in order of their mean attribution and tracks
 * the target output relative to the unperturbed one; the score is the area over that curve (higher
 * is better). `curves` hold the ratios after each removal.
 */
export async function irof(model: Model, input: tf.Tensor, attributions: AttributionSource, options: IrofOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'irof');
  const g = geometryOf(model, ctx.features);
  const labels = await segmentLabels(options, ctx.n, g.h, g.w, ctx.fn);
  const a = preprocess(await attributionArrays(ctx, input, attributions), options, { normalise: 'example', abs: false });
  const segments = labels.map((l) => {
    const n = Math.max(...l) + 1;
    const px: number[][] = Array.from({ length: n }, () => []);
    l.forEach((s, q) => px[s].push(q));
    return px.filter((p) => p.length > 0);
  });
  const orders = segments.map((segs, i) => argsort(segs.map((px) => px.reduce((s, q) => { for (let c = 0; c < g.c; c++) s += a[i][q * g.c + c]; return s; }, 0) / (px.length * g.c)), true));
  const nMax = Math.max(...segments.map((s) => s.length));
  const baseline = options.baseline ?? 'example-mean';
  // The sequence of states X^1 … X^nMax (the batch mean depends on every example's state).
  const state = ctx.x.map((x) => Float32Array.from(x));
  const rows: { i: number; data: Float32Array }[] = [];
  for (let t = 0; t < nMax; t++) {
    let batchMean = 0;
    if (baseline === 'batch-mean') batchMean = state.reduce((s, x) => s + x.reduce((u, v) => u + v, 0), 0) / (ctx.n * ctx.features);
    state.forEach((x, i) => {
      if (t >= segments[i].length) return;
      const m = baseline === 'batch-mean' ? batchMean : baselineValue(ctx.x[i], baseline, ctx.fn);
      for (const q of segments[i][orders[i][t]]) for (let c = 0; c < g.c; c++) x[q * g.c + c] = m;
      rows.push({ i, data: Float32Array.from(x) });
    });
  }
  const output = options.output ?? 'probabilities';
  const { values } = await evaluateRows(ctx, rows.length, (r) => rows[r].i, (r, out) => out.set(rows[r].data), output);
  const y0 = (await evaluateInputs(ctx, output)).values;
  const curves: number[][] = segments.map(() => []);
  rows.forEach((row, r) => curves[row.i].push(values[r] / y0[row.i]));
  const quantus = options.convention === 'quantus';
  const scores = curves.map((c) => (quantus ? c.length - trapezoid([...c, ...new Array<number>(nMax - c.length).fill(0)]) : 1 - trapezoid([1, ...c], 1 / c.length)));
  return metricResult(ctx, 'irof', 'higher', scores, { curves });
}

async function segmentLabels(options: IrofOptions, n: number, h: number, w: number, fn: string): Promise<Int32Array[]> {
  if (options.segments) {
    const s = options.segments;
    check(s.size === n * h * w, 'shape', () => `${fn}: segments must be [${n}, ${h}, ${w}] labels; found shape [${s.shape}]`);
    return splitRows(await s.data(), n).map((l) => {
      check(l.every((v) => Number.isInteger(v) && v >= 0), 'input', () => `${fn}: segment labels must be non-negative integers`);
      return Int32Array.from(l);
    });
  }
  const cell = options.cellSize ?? 4;
  check(Number.isInteger(cell) && cell >= 1, 'option', () => `${fn}: cellSize must be a positive integer; found ${cell}`);
  const perRow = Math.ceil(w / cell);
  const l = Int32Array.from({ length: h * w }, (_, q) => Math.floor(Math.floor(q / w) / cell) * perRow + Math.floor((q % w) / cell));
  return Array.from({ length: n }, () => l);
}
