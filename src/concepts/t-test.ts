/**
 * Student's t-test for two independent samples and corrections for multiple comparisons: what
 * TCAV (Kim et al. 2018) uses to tell a concept's scores over repeated runs from random-vs-random
 * scores. The t distribution's CDF is written through the regularised incomplete beta function
 * I_x(a, b), evaluated by its continued fraction with the modified Lentz method (Press et al.,
 * "Numerical Recipes", 3rd ed., §6.4).
 */
import { check } from '../core/errors.js';

const EPS = 1e-15;
const TINY = 1e-300;

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-15). */
export function logGamma(x: number): number {
  check(x > 0 && Number.isFinite(x), 'numeric', () => `logGamma: expected a positive finite argument; found ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of I_x(a, b) (modified Lentz), converging fast for x < (a + 1)/(a + b + 2). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return h;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1] (Numerical Recipes §6.4). */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  check(a > 0 && b > 0, 'numeric', () => `regularizedIncompleteBeta: a and b must be positive; found a = ${a}, b = ${b}`);
  check(x >= 0 && x <= 1, 'numeric', () => `regularizedIncompleteBeta: x must lie in [0, 1]; found ${x}`);
  if (x === 0 || x === 1) return x;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(lnFront);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` > 0 degrees of freedom: 1 − ½ I_{df/(df+t²)}(df/2, ½) for t ≥ 0. */
export function studentTCdf(t: number, df: number): number {
  check(df > 0, 'numeric', () => `studentTCdf: degrees of freedom must be positive; found ${df}`);
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The two-sided p-value of a t statistic: P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, ½), computed without cancellation. */
export function studentTTwoSidedP(t: number, df: number): number {
  check(df > 0, 'numeric', () => `studentTTwoSidedP: degrees of freedom must be positive; found ${df}`);
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Result of a two-sample t-test. */
export interface TTestResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly df: number;
}

function meanVar(x: readonly number[]): { mean: number; variance: number } {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const variance = x.reduce((s, v) => s + (v - mean) * (v - mean), 0) / (x.length - 1);
  return { mean, variance };
}

/**
 * Two-sided two-sample t-test of equal means, as `scipy.stats.ttest_ind(a, b)`: by default Student's
 * (pooled variance, equal_var=True, df = n₁ + n₂ − 2); `equalVariance: false` gives Welch's test
 * (Welch–Satterthwaite df), as `equal_var=False`. Two samples with no spread and equal means give
 * NaN (as scipy does); with different means the statistic is ±∞ and p = 0.
 */
export function tTestIndependent(a: readonly number[], b: readonly number[], options: { readonly equalVariance?: boolean } = {}): TTestResult {
  check(a.length >= 2 && b.length >= 2, 'input', () => `tTestIndependent: each sample needs at least 2 values; found ${a.length} and ${b.length}`);
  check([...a, ...b].every(Number.isFinite), 'numeric', () => `tTestIndependent: the samples hold a non-finite value`);
  const x = meanVar(a);
  const y = meanVar(b);
  const n1 = a.length;
  const n2 = b.length;
  let df: number;
  let se2: number;
  if (options.equalVariance ?? true) {
    df = n1 + n2 - 2;
    const pooled = ((n1 - 1) * x.variance + (n2 - 1) * y.variance) / df;
    se2 = pooled * (1 / n1 + 1 / n2);
  } else {
    const v1 = x.variance / n1;
    const v2 = y.variance / n2;
    se2 = v1 + v2;
    df = (se2 * se2) / ((v1 * v1) / (n1 - 1) + (v2 * v2) / (n2 - 1));
  }
  const diff = x.mean - y.mean;
  if (se2 === 0) {
    if (diff === 0) return { statistic: NaN, pValue: NaN, df: Number.isFinite(df) ? df : NaN };
    return { statistic: diff > 0 ? Infinity : -Infinity, pValue: 0, df: Number.isFinite(df) ? df : n1 + n2 - 2 };
  }
  const statistic = diff / Math.sqrt(se2);
  return { statistic, pValue: studentTTwoSidedP(statistic, df), df };
}

/** Bonferroni-adjusted p-values: min(1, m·pᵢ) for m tests (NaN stays NaN). */
export function bonferroni(pValues: readonly number[]): number[] {
  const m = pValues.length;
  return pValues.map((p) => (Number.isNaN(p) ? NaN : Math.min(1, p * m)));
}

/**
 * Holm's step-down adjusted p-values (Holm 1979), as statsmodels' `multipletests(method='holm')`:
 * sorted ascending, the k-th smallest (k from 0) is multiplied by m − k, a running maximum keeps the
 * order, capped at 1. NaN p-values are left out of m and stay NaN.
 */
export function holm(pValues: readonly number[]): number[] {
  const order = pValues.map((p, i) => [p, i] as const).filter(([p]) => !Number.isNaN(p)).sort((u, v) => u[0] - v[0]);
  const m = order.length;
  const out = pValues.map(() => NaN);
  let running = 0;
  order.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}

/** A correction across concepts: none, Bonferroni or Holm. */
export type MultipleTestCorrection = 'none' | 'bonferroni' | 'holm';

/** The p-values adjusted by `correction`. */
export function correctPValues(pValues: readonly number[], correction: MultipleTestCorrection): number[] {
  if (correction === 'bonferroni') return bonferroni(pValues);
  if (correction === 'holm') return holm(pValues);
  check(correction === 'none', 'option', () => `correctPValues: correction must be 'none', 'bonferroni' or 'holm'; found '${String(correction)}'`);
  return [...pValues];
}
