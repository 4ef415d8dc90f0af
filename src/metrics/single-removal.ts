/** The non-cumulative removal shared by faithfulness estimate, monotonicity (Nguyen) and non-sensitivity. */
import type { MetricOutput, PerturbBaseline } from './result.js';
import { baselineValue, evaluateRows, type MetricContext } from './shared.js';

/**
 * For each example, removes each group of features on its own (all other features kept) and
 * returns the output for every group, in group order.
 */
export async function removeGroups(
  ctx: MetricContext, groups: readonly (readonly Int32Array[])[], baseline: PerturbBaseline, output: MetricOutput,
): Promise<number[][]> {
  const starts: number[] = [];
  let total = 0;
  for (const g of groups) {
    starts.push(total);
    total += g.length;
  }
  const exampleOf = new Int32Array(total);
  groups.forEach((g, i) => exampleOf.fill(i, starts[i], starts[i] + g.length));
  const base = ctx.x.map((x) => baselineValue(x, baseline, ctx.fn));
  const { values } = await evaluateRows(ctx, total, (r) => exampleOf[r], (r, out) => {
    const i = exampleOf[r];
    out.set(ctx.x[i]);
    for (const f of groups[i][r - starts[i]]) out[f] = base[i];
  }, output);
  return groups.map((g, i) => Array.from(values.subarray(starts[i], starts[i] + g.length)));
}

/** Cuts an order of features into consecutive groups of `size`. */
export function chunks(order: ArrayLike<number>, size: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let k = 0; k < order.length; k += size) out.push(Int32Array.from(Array.prototype.slice.call(order, k, k + size) as number[]));
  return out;
}
