import type * as tf from '@tensorflow/tfjs';
import { resolveBaseline, type Baseline } from '../core/baseline.js';
import type { Model } from '../core/model.js';
import type { AttributionSource, MetricOptions, MetricOutput, MetricResult } from './result.js';
import { argsort, evaluateRows, geometryOf, metricResult, pixelAttributions, prepareMetric, splitRows, trapezoid, type MetricContext } from './shared.js';

/** Options of `deletion` and `insertion`. */
export interface DeletionOptions extends MetricOptions {
  /** Points of the curve after the start (default 50); pixels per step = ⌈pixels / steps⌉. */
  readonly steps?: number;
  /** What removed pixels become (deletion; default 'zeros') or where insertion starts (default 'blur' for images, else 'zeros'). */
  readonly baseline?: Baseline;
  /** Output watched (default `'probabilities'`: the target's probability, a softmax only of logits; see MetricOutput). */
  readonly output?: MetricOutput;
}

/**
 * The curve shared by deletion and insertion: pixels (all channels) ranked by channel-summed
 * attribution (or attributions reduced over channels, `[N, H, W, 1]`) move from `from` to `to`, most relevant first, in `steps` steps; the curve starts at
 * `from` and ends at `to`.
 */
export async function pixelPathCurves(
  model: Model, input: tf.Tensor, attributions: AttributionSource, options: DeletionOptions, mode: 'deletion' | 'insertion', fn: string,
): Promise<{ ctx: MetricContext; curves: number[][] }> {
  const ctx = await prepareMetric(model, input, options, fn);
  const g = geometryOf(model, ctx.features);
  const pixels = g.h * g.w;
  const steps = Math.min(options.steps ?? 50, pixels);
  const per = Math.ceil(pixels / steps);
  const a = await pixelAttributions(ctx, input, attributions, {}, { normalise: 'none', abs: false });
  const orders = a.map((v) => argsort(v, true));
  const b = resolveBaseline(options.baseline ?? (mode === 'insertion' && input.rank === 4 ? 'blur' : 'zeros'), input, fn, { seed: options.seed });
  const base = splitRows(await b.data(), ctx.n);
  b.dispose();
  const K = steps + 1;
  const { values } = await evaluateRows(ctx, ctx.n * K, (r) => Math.floor(r / K), (r, out) => {
    const i = Math.floor(r / K);
    const [from, to] = mode === 'deletion' ? [ctx.x[i], base[i]] : [base[i], ctx.x[i]];
    out.set(from);
    const moved = Math.min(pixels, (r % K) * per);
    for (let k = 0; k < moved; k++) {
      const q = orders[i][k];
      for (let c = 0; c < g.c; c++) out[q * g.c + c] = to[q * g.c + c];
    }
  }, options.output ?? 'probabilities');
  return { ctx, curves: Array.from({ length: ctx.n }, (_, i) => Array.from(values.subarray(i * K, (i + 1) * K))) };
}

/**
 * Deletion (Petsiuk, Das & Saenko, "RISE", BMVC 2018): removes pixels most relevant first and
 * records the target probability; the score is the area under the curve over [0, 1] (lower is
 * better).
 */
export async function deletion(model: Model, input: tf.Tensor, attributions: AttributionSource, options: DeletionOptions = {}): Promise<MetricResult> {
  const { ctx, curves } = await pixelPathCurves(model, input, attributions, options, 'deletion', 'deletion');
  return metricResult(ctx, 'deletion', 'lower', curves.map((c) => trapezoid(c, 1 / (c.length - 1))), { curves });
}
