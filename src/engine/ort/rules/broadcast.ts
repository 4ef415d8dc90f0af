import type { BackwardContext } from './rule-types.js';

/**
 * The gradient of a broadcast operand: `g` (of shape `outShape`) summed over the axes that
 * broadcasting stretched, reshaped to `inShape`.
 */
export function unbroadcast(ctx: BackwardContext, g: string, outShape: readonly number[], inShape: readonly number[]): string {
  const lead = outShape.length - inShape.length;
  const axes: number[] = [];
  for (let i = 0; i < outShape.length; i++) {
    if (i < lead || (inShape[i - lead] === 1 && outShape[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) return g;
  const summed = ctx.out.reduceSum(g, axes);
  return lead > 0 ? ctx.out.reshape(summed, inShape) : summed;
}
