import type * as tf from '@tensorflow/tfjs';
import { renamedOption } from '../core/deprecated-option.js';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import type { AttributionPreprocessing, AttributionSource, MetricOptions, MetricResult } from './result.js';
import { argsort, attributionArrays, evaluateRows, geometryOf, metricResult, pixelSums, prepareMetric, preprocess, type Geometry } from './shared.js';

/** Options of `road`. */
export interface RoadOptions extends MetricOptions, AttributionPreprocessing {
  /** Percentages of pixels removed (default 1, 3, 5, …, 99). */
  readonly percentages?: readonly number[];
  /** Standard deviation of the noise added to imputed values (default 0.01; 0 is deterministic). */
  readonly stdev?: number;
  /** @deprecated The old name of `stdev`; removed in the next release. */
  readonly noise?: number;
  /** 'morf' removes the most relevant pixels (default), 'lerf' the least relevant. */
  readonly order?: 'morf' | 'lerf';
}

/**
 * ROAD, remove and debias (Rong et al., "A Consistent and Efficient Evaluation Strategy for
 * Attribution Methods", ICML 2022): the top k% pixels are replaced by a noisy linear imputation from
 * their neighbours (no retraining), and the model's accuracy on the target is recorded per
 * percentage (`curves`, 1 = still predicted). The score is the mean accuracy over percentages
 * (lower is better for 'morf').
 */
export async function road(model: Model, input: tf.Tensor, attributions: AttributionSource, options: RoadOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'road');
  check(ctx.target.classes !== null, 'target', () => `${ctx.fn}: needs class targets (it checks the predicted class)`);
  const g = geometryOf(model, ctx.features);
  const pixels = g.h * g.w;
  const percentages = options.percentages ?? Array.from({ length: 50 }, (_, k) => 2 * k + 1);
  const a = preprocess(await attributionArrays(ctx, input, attributions), options, { normalise: 'example', abs: false });
  const orders = a.map((v) => argsort(pixelSums(v, g), (options.order ?? 'morf') === 'morf'));
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  const P = percentages.length;
  const stdev = renamedOption<number>(options, 'stdev', 'noise', ctx.fn) ?? 0.01;
  const imputed = ctx.x.flatMap((x, i) => percentages.map((p) => imputeLinear(x, g, orders[i].subarray(0, Math.floor((pixels * p) / 100)), stdev, rng)));
  const { predicted } = await evaluateRows(ctx, ctx.n * P, (r) => Math.floor(r / P), (r, out) => out.set(imputed[r]), 'logits');
  const classes = ctx.target.classes as readonly number[];
  const curves = Array.from({ length: ctx.n }, (_, i) => percentages.map((_, k) => (predicted[i * P + k] === classes[i] ? 1 : 0)));
  return metricResult(ctx, 'road', (options.order ?? 'morf') === 'morf' ? 'lower' : 'higher', curves.map((c) => c.reduce((t: number, v) => t + v, 0) / c.length), {
    curves,
    details: { percentages },
  });
}

/**
 * Noisy linear imputation: each removed pixel's value is the weighted mean of its 8 neighbours
 * (weight 1/6 for edge neighbours, 1/12 for diagonal ones; removed neighbours are unknowns), solved
 * per channel by conjugate gradients, then noise is added.
 */
export function imputeLinear(x: Float32Array, g: Geometry, removed: ArrayLike<number>, noise: number, rng: Rng): Float32Array {
  const out = Float32Array.from(x);
  const m = removed.length;
  if (m === 0) return out;
  const index = new Int32Array(g.h * g.w).fill(-1);
  for (let k = 0; k < m; k++) index[removed[k]] = k;
  const nbrs: { k: number; q: number; w: number }[][] = [];
  const diag = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const q = removed[k];
    const [y, xx] = [Math.floor(q / g.w), q % g.w];
    const list: { k: number; q: number; w: number }[] = [];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        if ((dy === 0 && dx === 0) || y + dy < 0 || y + dy >= g.h || xx + dx < 0 || xx + dx >= g.w) continue;
        const n = (y + dy) * g.w + xx + dx;
        const w = dy === 0 || dx === 0 ? 1 / 6 : 1 / 12;
        diag[k] += w;
        list.push({ k: index[n], q: n, w });
      }
    }
    nbrs.push(list);
  }
  for (let c = 0; c < g.c; c++) {
    const b = new Float64Array(m);
    for (let k = 0; k < m; k++) for (const n of nbrs[k]) if (n.k < 0) b[k] += n.w * x[n.q * g.c + c];
    const apply = (v: Float64Array): Float64Array => {
      const r = new Float64Array(m);
      for (let k = 0; k < m; k++) {
        let s = diag[k] * v[k];
        for (const n of nbrs[k]) if (n.k >= 0) s -= n.w * v[n.k];
        r[k] = s;
      }
      return r;
    };
    const v = conjugateGradient(apply, b);
    for (let k = 0; k < m; k++) out[removed[k] * g.c + c] = v[k] + (noise > 0 ? noise * rng.normal() : 0);
  }
  return out;
}

function conjugateGradient(apply: (v: Float64Array) => Float64Array, b: Float64Array): Float64Array {
  const m = b.length;
  const v = new Float64Array(m);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  let rr = r.reduce((s, t) => s + t * t, 0);
  const stop = 1e-24 * Math.max(1, b.reduce((s, t) => s + t * t, 0));
  for (let it = 0; it < 10 * m && rr > stop; it++) {
    const ap = apply(p);
    const alpha = rr / p.reduce((s, t, k) => s + t * ap[k], 0);
    for (let k = 0; k < m; k++) {
      v[k] += alpha * p[k];
      r[k] -= alpha * ap[k];
    }
    const next = r.reduce((s, t) => s + t * t, 0);
    for (let k = 0; k < m; k++) p[k] = r[k] + (next / rr) * p[k];
    rr = next;
  }
  return v;
}
