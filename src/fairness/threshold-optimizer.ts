/**
 * Threshold post-processing per group (Hardt, Price & Srebro, "Equality of Opportunity in
 * Supervised Learning", NeurIPS 2016): each group gets a randomised threshold rule on the model's
 * score — a mixture of "positive iff score ≥ τ" rules — chosen to maximise accuracy subject to
 * equalised odds (equal TPR and FPR), equal opportunity (equal TPR) or demographic parity (equal
 * selection rate), each up to a tolerance on max − min over the groups (Fairlearn's convention;
 * tolerance 0 is the paper's exact constraint). Each group's feasible set is the convex hull of its
 * ROC points (roc-hull.ts); the program over the mixture weights is solved exactly by the simplex
 * method (core/linear-program.ts). Fairlearn's `ThresholdOptimizer` reaches the same optimum on a
 * grid of thresholds instead.
 */
import { check } from '../core/errors.js';
import { maximizeLinear, type LinearConstraint } from '../core/linear-program.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import { groupRoc, rocPoint, type GroupRoc } from './roc-hull.js';

/** Which rates the post-processing equalises ('none': each group's accuracy-optimal rule). */
export type PostprocessConstraint = 'equalised-odds' | 'equal-opportunity' | 'demographic-parity' | 'none';

/** The constraints, in order. */
export const POSTPROCESS_CONSTRAINTS: readonly PostprocessConstraint[] = ['equalised-odds', 'equal-opportunity', 'demographic-parity', 'none'];

/** What the optimiser is fitted on: scores in [0, 1], 0/1 labels and a group id per row. */
export interface ScoredGroups {
  readonly groups: Int32Array;
  readonly groupNames: readonly string[];
  readonly labels: Uint8Array;
  readonly scores: Float64Array;
}

/** Options of fitThresholdOptimizer. */
export interface ThresholdOptimizerOptions {
  /** Default 'equalised-odds'. */
  readonly constraint?: PostprocessConstraint;
  /** Allowed max − min of each equalised rate over the groups (default 0). */
  readonly tolerance?: number;
}

/** A group's randomised rule: positive with probability Σ_k weights[k] · [score ≥ thresholds[k]]. */
export interface GroupThresholdRule {
  readonly group: string;
  readonly thresholds: readonly number[];
  readonly weights: readonly number[];
  /** The rule's expected rates on the fitting rows. */
  readonly truePositiveRate: number;
  readonly falsePositiveRate: number;
  readonly selectionRate: number;
  readonly accuracy: number;
}

/** A fitted post-processor. */
export interface ThresholdOptimizer {
  readonly constraint: PostprocessConstraint;
  readonly tolerance: number;
  readonly groups: readonly string[];
  readonly rules: readonly GroupThresholdRule[];
  /** Expected accuracy over the fitting rows. */
  readonly accuracy: number;
  /** Expected disparity (max − min over groups) of the constrained rates; for 'none', of equalised odds. */
  readonly disparity: number;
}

/** The rates a constraint equalises. */
function constrainedRates(c: PostprocessConstraint): readonly ('tpr' | 'fpr' | 'selection')[] {
  return c === 'equalised-odds' || c === 'none' ? ['tpr', 'fpr'] : c === 'equal-opportunity' ? ['tpr'] : ['selection'];
}

/** max − min over the groups where the rate is defined (TPR needs positives, FPR negatives). */
export function rateDisparity(rules: readonly GroupThresholdRule[], rocs: readonly GroupRoc[], c: PostprocessConstraint): number {
  let worst = 0;
  for (const r of constrainedRates(c)) {
    const v = rules.flatMap((rule, g) => {
      if (r === 'tpr') return rocs[g].positives > 0 ? [rule.truePositiveRate] : [];
      if (r === 'fpr') return rocs[g].negatives > 0 ? [rule.falsePositiveRate] : [];
      return [rule.selectionRate];
    });
    if (v.length >= 2) worst = Math.max(worst, Math.max(...v) - Math.min(...v));
  }
  return worst;
}

function checkScored(o: ScoredGroups, fn: string): void {
  const n = o.groups.length;
  check(n > 0 && o.labels.length === n && o.scores.length === n, 'input', () => `${fn}: expected a group, a label and a score per row (${n}); found ${o.labels.length} labels and ${o.scores.length} scores`);
  check(o.groupNames.length >= 2, 'input', () => `${fn}: expected at least two groups; found ${o.groupNames.length}`);
  for (let i = 0; i < n; i++) {
    check(o.groups[i] >= 0 && o.groups[i] < o.groupNames.length, 'input', () => `${fn}: row ${i}: group id must be in [0, ${o.groupNames.length - 1}]; found ${o.groups[i]}`);
    check(o.labels[i] <= 1, 'input', () => `${fn}: row ${i}: labels must be 0 or 1; found ${o.labels[i]}`);
    check(Number.isFinite(o.scores[i]), 'input', () => `${fn}: row ${i}: the score must be finite; found ${o.scores[i]}`);
  }
}

/** The groups' ROC hulls of `o` (every group must have rows). */
export function groupRocs(o: ScoredGroups, fn: string): GroupRoc[] {
  const rows = o.groupNames.map(() => [] as number[]);
  o.groups.forEach((g, i) => rows[g].push(i));
  rows.forEach((r, g) => check(r.length > 0, 'input', () => `${fn}: group '${o.groupNames[g]}' has no rows`));
  return rows.map((r) => groupRoc(o.scores, o.labels, r));
}

/**
 * Fits the group thresholds on `o` (Hardt et al. 2016): maximises expected accuracy subject to the
 * constraint within `tolerance`. Deterministic; the rules are randomised only when applied.
 */
export function fitThresholdOptimizer(o: ScoredGroups, options: ThresholdOptimizerOptions = {}): ThresholdOptimizer {
  const fn = 'fitThresholdOptimizer';
  const { constraint = 'equalised-odds', tolerance = 0 } = options;
  check(POSTPROCESS_CONSTRAINTS.includes(constraint), 'option', () => `${fn}: constraint must be one of ${POSTPROCESS_CONSTRAINTS.join(', ')}; found ${JSON.stringify(constraint)}`);
  check(Number.isFinite(tolerance) && tolerance >= 0 && tolerance <= 1, 'option', () => `${fn}: tolerance must be in [0, 1]; found ${tolerance}`);
  checkScored(o, fn);
  return solve(groupRocs(o, fn), o.groupNames, o.groups.length, constraint, tolerance, fn);
}

/** The program over the hulls' mixture weights, and its solution as rules. */
export function solve(rocs: readonly GroupRoc[], names: readonly string[], total: number, constraint: PostprocessConstraint, tolerance: number, fn: string): ThresholdOptimizer {
  const offsets: number[] = [];
  let nv = 0;
  for (const g of rocs) { offsets.push(nv); nv += g.vertices.length; }
  const rates = constraint === 'none' ? [] : constrainedRates(constraint);
  const width = nv + 2 * rates.length;
  const c = new Float64Array(width);
  const rows: LinearConstraint[] = [];
  const rate = (g: GroupRoc, k: number, r: 'tpr' | 'fpr' | 'selection'): number => {
    const [fpr, tpr] = rocPoint(g, g.vertices[k]);
    return r === 'tpr' ? tpr : r === 'fpr' ? fpr : (g.vertices[k].tp + g.vertices[k].fp) / g.rows;
  };
  rocs.forEach((g, gi) => {
    const sum = new Float64Array(width);
    g.vertices.forEach((v, k) => {
      c[offsets[gi] + k] = (v.tp + g.negatives - v.fp) / total;
      sum[offsets[gi] + k] = 1;
    });
    rows.push({ coefficients: sum, op: '=', rhs: 1 });
  });
  rates.forEach((r, ri) => {
    const lo = nv + 2 * ri;
    const hi = lo + 1;
    rocs.forEach((g, gi) => {
      if ((r === 'tpr' && g.positives === 0) || (r === 'fpr' && g.negatives === 0)) return;
      const below = new Float64Array(width);
      const above = new Float64Array(width);
      g.vertices.forEach((_, k) => {
        below[offsets[gi] + k] = rate(g, k, r);
        above[offsets[gi] + k] = -rate(g, k, r);
      });
      below[hi] = -1;
      above[lo] = 1;
      rows.push({ coefficients: below, op: '<=', rhs: 0 }, { coefficients: above, op: '<=', rhs: 0 });
    });
    const gap = new Float64Array(width);
    gap[hi] = 1;
    gap[lo] = -1;
    rows.push({ coefficients: gap, op: '<=', rhs: tolerance });
  });
  const { x } = maximizeLinear(c, rows, fn);
  const rules = rocs.map((g, gi): GroupThresholdRule => {
    const used = g.vertices.map((v, k) => ({ v, k, w: x[offsets[gi] + k] })).filter((u) => u.w > 1e-12);
    const norm = used.reduce((s, u) => s + u.w, 0);
    const mean = (r: 'tpr' | 'fpr' | 'selection'): number => used.reduce((s, u) => s + (u.w / norm) * rate(g, u.k, r), 0);
    const acc = used.reduce((s, u) => s + (u.w / norm) * (u.v.tp + g.negatives - u.v.fp), 0) / g.rows;
    return {
      group: names[gi],
      thresholds: used.map((u) => u.v.threshold),
      weights: used.map((u) => u.w / norm),
      truePositiveRate: mean('tpr'),
      falsePositiveRate: mean('fpr'),
      selectionRate: mean('selection'),
      accuracy: acc,
    };
  });
  const accuracy = rules.reduce((s, r, gi) => s + r.accuracy * rocs[gi].rows, 0) / total;
  return { constraint, tolerance, groups: [...names], rules, accuracy, disparity: rateDisparity(rules, rocs, constraint) };
}

/** P(positive) of each row under the fitted rules: Σ_k w_k · [score ≥ τ_k] of the row's group. */
export function positiveProbabilities(t: ThresholdOptimizer, scores: ArrayLike<number>, groups: ArrayLike<number>): Float64Array {
  const fn = 'positiveProbabilities';
  check(scores.length === groups.length, 'input', () => `${fn}: expected a group per score (${scores.length}); found ${groups.length}`);
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const rule = t.rules[groups[i]];
    check(rule !== undefined, 'input', () => `${fn}: row ${i}: group id must be in [0, ${t.rules.length - 1}]; found ${groups[i]}`);
    let p = 0;
    rule.thresholds.forEach((tau, k) => { if (scores[i] >= tau) p += rule.weights[k]; });
    out[i] = Math.min(1, p);
  }
  return out;
}

/** The randomised decisions of the fitted rules (seeded: same seed, same decisions). */
export function applyThresholdOptimizer(t: ThresholdOptimizer, scores: ArrayLike<number>, groups: ArrayLike<number>, seed = DEFAULT_SEED): Uint8Array {
  const p = positiveProbabilities(t, scores, groups);
  const rng = new Rng(seed);
  return Uint8Array.from(p, (q) => Number(rng.uniform() < q));
}
