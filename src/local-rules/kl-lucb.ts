import { klLowerBound, klLucbBeta, klUpperBound } from './kl-bounds.js';

/** Running precision statistics of one arm (a candidate anchor): samples drawn and positives among them. */
export interface ArmStats {
  n: number;
  positives: number;
}

/**
 * KL-LUCB (Kaufmann & Kalyanakrishnan 2013), as Anchors uses it to pick the `topN` candidates of
 * highest precision: each round pulls the weakest arm of the current top set and the strongest of
 * the rest (`pull([ut, lt])`, one batched model call for both, `batchSize` samples each) until the
 * gap between the rest's highest upper bound and the top set's lowest lower bound is ≤ ε.
 * Returns the indices of the chosen arms, best first.
 */
export async function klLucb(arms: readonly ArmStats[], topN: number, epsilon: number, delta: number, pull: (which: readonly number[]) => Promise<void>): Promise<number[]> {
  const byMean = (): number[] => arms.map((_, i) => i).sort((a, b) => mean(arms[b]) - mean(arms[a]) || a - b);
  if (arms.length <= topN) return byMean();
  for (let t = 1; ; t++) {
    const order = byMean();
    const top = order.slice(0, topN);
    const rest = order.slice(topN);
    const beta = klLucbBeta(arms.length, t, delta);
    let ut = rest[0];
    let ub = -Infinity;
    for (const f of rest) {
      const u = klUpperBound(mean(arms[f]), beta / Math.max(1, arms[f].n));
      if (u > ub) { ub = u; ut = f; }
    }
    let lt = top[0];
    let lb = Infinity;
    for (const f of top) {
      const l = klLowerBound(mean(arms[f]), beta / Math.max(1, arms[f].n));
      if (l < lb) { lb = l; lt = f; }
    }
    if (ub - lb <= epsilon) return top;
    await pull([ut, lt]);
  }
}

/** An arm's precision estimate (0 before its first sample). */
export function mean(arm: ArmStats): number {
  return arm.n > 0 ? arm.positives / arm.n : 0;
}
