import type * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import { patchRegions } from './region-perturbation.js';
import type { AttributionSource, MetricOptions, MetricOutput, MetricResult, PerturbBaseline } from './result.js';
import { attributionArrays, baselineValue, evaluateInputs, evaluateRows, geometryOf, metricResult, prepareMetric, splitRows } from './shared.js';

/**
 * How the perturbations I are drawn (the perturbed input is x − I): Gaussian noise (Yeh et al.'s
 * default), a fixed table `[S, ...inputShape]` used for every example (Captum's `perturb_func`
 * reading a recorded table), or square patches set to a baseline cumulatively in row-major order,
 * one group per patch size (Quantus' default).
 */
export type InfidelityPerturbation =
  | { readonly kind: 'noise'; readonly stdev?: number; readonly samples?: number }
  | { readonly kind: 'table'; readonly table: tf.Tensor }
  | { readonly kind: 'patches'; readonly sizes: readonly number[]; readonly baseline?: PerturbBaseline };

/** Options of `infidelity`. */
export interface InfidelityOptions extends MetricOptions {
  /** Default: Gaussian noise, σ = 0.1, 50 samples. */
  readonly perturbation?: InfidelityPerturbation;
  /** Rescale the attribution by the least-squares β first (Captum's `normalize`; default false). */
  readonly normalize?: boolean;
  /** Output watched (default the target's raw score). */
  readonly output?: MetricOutput;
}

/**
 * Infidelity (Yeh et al., "On the (In)fidelity and Sensitivity of Explanations", NeurIPS 2019):
 * the mean over perturbations I of (Iᵀa − (f(x) − f(x − I)))², with the perturbations grouped as
 * above (the score is the mean of the groups' means; lower is better).
 */
export async function infidelity(model: Model, input: tf.Tensor, attributions: AttributionSource, options: InfidelityOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'infidelity');
  const F = ctx.features;
  const p = options.perturbation ?? { kind: 'noise' };
  const a = await attributionArrays(ctx, input, attributions);
  // I[i][s], and the group of every sample.
  let deltas: Float32Array[][];
  let groupOf: number[];
  if (p.kind === 'table') {
    check(p.table.size % F === 0 && p.table.size > 0, 'shape', () => `${ctx.fn}: the perturbation table must be [S, ${model.inputShape}]; found [${p.table.shape}]`);
    const table = splitRows(await p.table.data(), p.table.size / F);
    deltas = a.map(() => table);
    groupOf = table.map(() => 0);
  } else if (p.kind === 'noise') {
    const rng = new Rng(options.seed ?? DEFAULT_SEED);
    const S = p.samples ?? 50;
    deltas = a.map(() => Array.from({ length: S }, () => rng.normals(F, 0, p.stdev ?? 0.1)));
    groupOf = new Array<number>(S).fill(0);
  } else {
    const g = geometryOf(model, F);
    groupOf = [];
    const perSize = p.sizes.map((size, k) => {
      check(Number.isInteger(size) && size >= 1, 'option', () => `${ctx.fn}: patch sizes must be positive integers; found ${size}`);
      const regions = patchRegions(g.h, g.w, size);
      groupOf.push(...regions.map(() => k));
      return regions;
    });
    deltas = ctx.x.map((x) => {
      const b = baselineValue(x, p.baseline ?? 'black', ctx.fn);
      const out: Float32Array[] = [];
      for (const regions of perSize) {
        const d = new Float32Array(F);
        for (const px of regions) {
          for (const q of px) for (let c = 0; c < g.c; c++) d[q * g.c + c] = x[q * g.c + c] - b;
          out.push(Float32Array.from(d));
        }
      }
      return out;
    });
  }
  const S = groupOf.length;
  const output = options.output ?? 'logits';
  const { values } = await evaluateRows(ctx, ctx.n * S, (r) => Math.floor(r / S), (r, out) => {
    const i = Math.floor(r / S);
    const d = deltas[i][r % S];
    for (let f = 0; f < F; f++) out[f] = ctx.x[i][f] - d[f];
  }, output);
  const y0 = (await evaluateInputs(ctx, output)).values;
  const groups = Math.max(...groupOf) + 1;
  const scores = a.map((ai, i) => {
    const dot = deltas[i].map((d) => d.reduce((s, v, f) => s + v * ai[f], 0));
    const dy = dot.map((_, s) => y0[i] - values[i * S + s]);
    let beta = 1;
    if (options.normalize) {
      const den = dot.reduce((s, v) => s + v * v, 0);
      beta = den === 0 ? 0 : dot.reduce((s, v, k) => s + v * dy[k], 0) / den;
    }
    let total = 0;
    for (let k = 0; k < groups; k++) {
      const idx = groupOf.map((gk, s) => (gk === k ? s : -1)).filter((s) => s >= 0);
      total += idx.reduce((t, s) => t + (beta * dot[s] - dy[s]) ** 2, 0) / idx.length;
    }
    return total / groups;
  });
  return metricResult(ctx, 'infidelity', 'lower', scores);
}
