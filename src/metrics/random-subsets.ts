/** Seeded random feature subsets, removed on their own: shared by faithfulness correlation and sensitivity-n. */
import { Rng } from '../core/random.js';
import type { MetricOutput, PerturbBaseline } from './result.js';
import { baselineValue, evaluateRows, type MetricContext } from './shared.js';

/** `runs` subsets of `size` distinct features per example, drawn from a seeded stream. */
export function randomSubsets(rng: Rng, features: number, size: number, runs: number): Int32Array[] {
  return Array.from({ length: runs }, () => rng.permutation(features).slice(0, size));
}

/**
 * For each example and each subset, the attribution mass of the subset and the output drop
 * f(x) − f(x with the subset set to the baseline). Row order: example-major.
 */
export async function subsetDrops(
  ctx: MetricContext, a: readonly Float32Array[], subsets: readonly (readonly Int32Array[])[], y0: Float32Array, baseline: PerturbBaseline, output: MetricOutput,
): Promise<{ mass: number[][]; drop: number[][] }> {
  const S = subsets[0].length;
  const base = ctx.x.map((x) => baselineValue(x, baseline, ctx.fn));
  const { values } = await evaluateRows(ctx, ctx.n * S, (r) => Math.floor(r / S), (r, out) => {
    const i = Math.floor(r / S);
    out.set(ctx.x[i]);
    for (const f of subsets[i][r % S]) out[f] = base[i];
  }, output);
  const mass = subsets.map((ss, i) => ss.map((s) => s.reduce((t, f) => t + a[i][f], 0)));
  const drop = subsets.map((ss, i) => ss.map((_, s) => y0[i] - values[i * S + s]));
  return { mass, drop };
}
