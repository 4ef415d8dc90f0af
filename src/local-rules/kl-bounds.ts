/**
 * Kullback–Leibler confidence bounds of a Bernoulli mean (Kaufmann & Kalyanakrishnan, Information
 * Complexity in Bandit Subset Selection, 2013), the bounds the Anchors bandit uses.
 */

const TINY = 1e-7;
const ALMOST_ONE = 1 - 1e-16;

/** KL(p ‖ q) between Bernoulli distributions, with p and q kept inside (0, 1). */
export function klBernoulli(p: number, q: number): number {
  const a = Math.min(ALMOST_ONE, Math.max(TINY, p));
  const b = Math.min(ALMOST_ONE, Math.max(TINY, q));
  return a * Math.log(a / b) + (1 - a) * Math.log((1 - a) / (1 - b));
}

/** The largest q ≥ p with KL(p ‖ q) ≤ level, by bisection (17 halvings, as in the Anchors code). */
export function klUpperBound(p: number, level: number, iterations = 17): number {
  let lo = p;
  let hi = Math.min(1, p + Math.sqrt(level / 2));
  for (let j = 1; j < iterations; j++) {
    const q = (lo + hi) / 2;
    if (klBernoulli(p, q) > level) hi = q;
    else lo = q;
  }
  return hi;
}

/** The smallest q ≤ p with KL(p ‖ q) ≤ level, by bisection. */
export function klLowerBound(p: number, level: number, iterations = 17): number {
  let hi = p;
  let lo = Math.max(0, p - Math.sqrt(level / 2));
  for (let j = 1; j < iterations; j++) {
    const q = (lo + hi) / 2;
    if (klBernoulli(p, q) > level) lo = q;
    else hi = q;
  }
  return lo;
}

/** The exploration rate β(t) of KL-LUCB for `arms` arms at round `t` and confidence δ. */
export function klLucbBeta(arms: number, t: number, delta: number): number {
  const temp = Math.log((405.5 * arms * t ** 1.1) / delta);
  return temp + Math.log(temp);
}
