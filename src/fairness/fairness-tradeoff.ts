/**
 * The accuracy–disparity trade-off of threshold post-processing (Hardt et al. 2016): the best
 * expected accuracy of group-threshold rules whose disparity (max − min over groups of the
 * constrained rates) is at most ε, for ε from 0 (the paper's exact constraint) up to the disparity
 * of the unconstrained, per-group accuracy-optimal rules; with the model's own decisions as a
 * reference point (one point when the unconstrained rules already meet the constraint). A
 * `'curve'` explanation; `meta` holds the exact (ε = 0) rules.
 */
import { check } from '../core/errors.js';
import type { CurveExplanation, JsonValue } from '../core/explanation.js';
import { groupRocs, POSTPROCESS_CONSTRAINTS, solve, type GroupThresholdRule, type PostprocessConstraint, type ScoredGroups } from './threshold-optimizer.js';

/** Options of thresholdTradeoff. */
export interface TradeoffOptions {
  /** Default 'equalised-odds' ('none' is refused: there is nothing to trade). */
  readonly constraint?: Exclude<PostprocessConstraint, 'none'>;
  /** Points of the curve (default 11, at least 2). */
  readonly points?: number;
  /** The model's own decisions, for its (disparity, accuracy) point. */
  readonly predicted?: Uint8Array;
}

/** A rule as JSON. */
export function ruleRecord(r: GroupThresholdRule): JsonValue {
  return {
    group: r.group,
    thresholds: r.thresholds.map((t) => (Number.isFinite(t) ? t : 'never')),
    weights: [...r.weights],
    truePositiveRate: r.truePositiveRate,
    falsePositiveRate: r.falsePositiveRate,
    selectionRate: r.selectionRate,
    accuracy: r.accuracy,
  };
}

/** The disparity and accuracy of fixed 0/1 decisions, for the same constraint. */
function decisionPoint(o: ScoredGroups, predicted: Uint8Array, constraint: PostprocessConstraint): [number, number] {
  const G = o.groupNames.length;
  const tp = new Float64Array(G), fp = new Float64Array(G), pos = new Float64Array(G), n = new Float64Array(G);
  let correct = 0;
  for (let i = 0; i < o.groups.length; i++) {
    const g = o.groups[i];
    n[g]++;
    pos[g] += o.labels[i];
    if (predicted[i]) { if (o.labels[i]) tp[g]++; else fp[g]++; }
    correct += Number(predicted[i] === o.labels[i]);
  }
  const spread = (v: number[]): number => (v.length >= 2 ? Math.max(...v) - Math.min(...v) : 0);
  const ids = Array.from({ length: G }, (_, g) => g);
  const tpr = spread(ids.filter((g) => pos[g] > 0).map((g) => tp[g] / pos[g]));
  const fpr = spread(ids.filter((g) => n[g] > pos[g]).map((g) => fp[g] / (n[g] - pos[g])));
  const sel = spread(ids.map((g) => (tp[g] + fp[g]) / n[g]));
  const d = constraint === 'equalised-odds' ? Math.max(tpr, fpr) : constraint === 'equal-opportunity' ? tpr : sel;
  return [d, correct / o.groups.length];
}

/**
 * The trade-off curve of `o`: curve 'post-processed' (x: the disparity bound ε, y: the best
 * expected accuracy), and with `predicted` a one-point curve 'model'. Exact (a linear program per
 * point), deterministic.
 */
export function thresholdTradeoff(o: ScoredGroups, options: TradeoffOptions = {}): CurveExplanation {
  const fn = 'thresholdTradeoff';
  const { constraint = 'equalised-odds', points = 11 } = options;
  check(POSTPROCESS_CONSTRAINTS.includes(constraint) && constraint !== ('none' as string), 'option', () => `${fn}: constraint must be equalised-odds, equal-opportunity or demographic-parity; found ${JSON.stringify(constraint)}`);
  check(Number.isInteger(points) && points >= 2 && points <= 1000, 'option', () => `${fn}: points must be an integer in [2, 1000]; found ${points}`);
  check(!options.predicted || options.predicted.length === o.groups.length, 'input', () => `${fn}: expected a decision per row (${o.groups.length}); found ${options.predicted?.length}`);
  const rocs = groupRocs(o, fn);
  const N = o.groups.length;
  const free = solve(rocs, o.groupNames, N, 'none', 0, fn);
  const widest = solve(rocs, o.groupNames, N, constraint, 1, fn);
  const top = widest.disparity;
  // Rules that are already fair at their best leave nothing to trade: one point.
  const eps = top > 1e-12 ? Array.from({ length: points }, (_, k) => (top * k) / (points - 1)) : [0];
  const fits = eps.map((e) => solve(rocs, o.groupNames, N, constraint, e, fn));
  const curves = [{ label: 'post-processed', x: eps, y: fits.map((f) => f.accuracy) }];
  let model: [number, number] | undefined;
  if (options.predicted) {
    model = decisionPoint(o, options.predicted, constraint);
    curves.push({ label: 'model', x: [model[0]], y: [model[1]] });
  }
  return {
    kind: 'curve',
    method: 'threshold-optimizer',
    xLabel: `${constraint.replace('-', ' ')} difference (bound)`,
    yLabel: 'accuracy',
    curves,
    meta: {
      constraint,
      rows: N,
      groups: [...o.groupNames],
      unconstrainedAccuracy: free.accuracy,
      exactAccuracy: fits[0].accuracy,
      exactRules: fits[0].rules.map(ruleRecord),
      ...(model ? { modelDisparity: model[0], modelAccuracy: model[1] } : {}),
    },
  };
}
