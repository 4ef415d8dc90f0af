/**
 * The optional analyses of `lumen fairness` beside the group table: Hardt et al.'s threshold
 * post-processing (`--postprocess`: the trade-off curve and the exact rules), Shapley values of a
 * disparity (`--explain-disparity`) and the mean attribution difference between groups
 * (`--attribution-difference`), each as its Explanation with a text block.
 */
import type { Dataset } from '../core/dataset.js';
import { LumenError } from '../core/errors.js';
import type { AttributionExplanation, CurveExplanation, Explanation, FairnessExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { attributionDisparity } from '../fairness/attribution-difference.js';
import { disparityShapley } from '../fairness/disparity-shapley.js';
import type { FairnessConvention } from '../fairness/disparities.js';
import type { SensitiveAttribute } from '../fairness/sensitive-groups.js';
import { SOFT_DISPARITIES, type SoftDisparity } from '../fairness/soft-disparity.js';
import { thresholdTradeoffReport } from '../fairness/threshold-report.js';
import { fairnessText } from '../render/fairness-table.js';
import { localMethodById } from '../methods.js';

/** What the analyses share with the group table. */
export interface FairnessAnalysisContext {
  readonly sensitive: SensitiveAttribute;
  readonly positiveClass?: number | string;
  readonly threshold?: number;
  readonly convention: FairnessConvention;
  readonly privileged?: string;
  readonly bootstrap: number;
  readonly confidence: number;
  readonly seed?: number;
}

/** The analyses asked for on the command line. */
export interface FairnessAnalysisFlags {
  readonly postprocess?: string;
  readonly explainDisparity?: string;
  readonly attributionDifference?: string;
}

const CONSTRAINTS = ['equalised-odds', 'equal-opportunity', 'demographic-parity'] as const;

const num = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(3))) : '–');

/** The trade-off curve and exact rules as text. */
export function tradeoffText(c: CurveExplanation): string {
  const [post, model] = c.curves;
  const lines = [`Threshold post-processing (Hardt et al. 2016), ${String(c.meta?.constraint)}: ${c.xLabel} → ${c.yLabel}`];
  post.x.forEach((x, k) => lines.push(`  ≤ ${num(x).padEnd(8)} ${num(post.y[k])}`));
  if (model) lines.push(`  the model's own decisions: disparity ${num(model.x[0])}, accuracy ${num(model.y[0])}`);
  lines.push(`  unconstrained group thresholds: accuracy ${num(c.meta?.unconstrainedAccuracy as number)}`, '  exact rules (positive with probability Σ weight · [score ≥ threshold]):');
  for (const r of (c.meta?.exactRules ?? []) as unknown as readonly { group: string; thresholds: readonly (number | string)[]; weights: readonly number[]; truePositiveRate: number; falsePositiveRate: number }[]) {
    const mix = r.thresholds.map((t, k) => `${num(r.weights[k])} × [score ≥ ${typeof t === 'number' ? num(t) : t}]`).join(' + ');
    lines.push(`    ${r.group}: ${mix}  (TPR ${num(r.truePositiveRate)}, FPR ${num(r.falsePositiveRate)})`);
  }
  return lines.join('\n');
}

/** Shapley values of a disparity as text, largest first. */
export function disparityShapleyText(e: AttributionExplanation): string {
  const names = e.featureNames ?? [];
  const order = e.values.map((_, i) => i).sort((a, b) => Math.abs(e.values[b]) - Math.abs(e.values[a]));
  const width = Math.max(...names.map((n) => n.length), 7);
  return [
    `Shapley values of the ${String(e.meta?.metric)} (${String(e.meta?.estimator)}; disparity ${num(e.meta?.disparity as number)}, empty coalition ${num(e.meta?.emptyCoalition as number)}):`,
    ...order.map((i) => `  ${names[i].padEnd(width)}  ${num(e.values[i])}`),
  ].join('\n');
}

/** Runs the analyses asked for; an unknown constraint, metric or method is a LumenError. */
export async function fairnessAnalyses(model: Model, data: Dataset, flags: FairnessAnalysisFlags, ctx: FairnessAnalysisContext): Promise<{ explanation: Explanation; text: string }[]> {
  const out: { explanation: Explanation; text: string }[] = [];
  const outcome = { sensitive: ctx.sensitive, ...(ctx.positiveClass !== undefined ? { positiveClass: ctx.positiveClass } : {}), ...(ctx.threshold !== undefined ? { threshold: ctx.threshold } : {}) };
  const compare = { convention: ctx.convention, ...(ctx.privileged !== undefined ? { privileged: ctx.privileged } : {}) };
  if (flags.postprocess !== undefined) {
    const constraint = flags.postprocess as (typeof CONSTRAINTS)[number];
    if (!CONSTRAINTS.includes(constraint)) throw new LumenError('option', `lumen fairness: --postprocess must be one of ${CONSTRAINTS.join(', ')}; found '${flags.postprocess}'`);
    const c = await thresholdTradeoffReport(model, data, { ...outcome, constraint });
    out.push({ explanation: c, text: tradeoffText(c) });
  }
  if (flags.explainDisparity !== undefined) {
    const metric = flags.explainDisparity as SoftDisparity;
    if (!SOFT_DISPARITIES.includes(metric)) throw new LumenError('option', `lumen fairness: --explain-disparity must be one of ${SOFT_DISPARITIES.map((m) => `'${m}'`).join(', ')}; found '${flags.explainDisparity}'`);
    const e = await disparityShapley(model, data, { ...outcome, ...compare, metric, ...(ctx.seed !== undefined ? { seed: ctx.seed } : {}) });
    out.push({ explanation: e, text: disparityShapleyText(e) });
  }
  if (flags.attributionDifference !== undefined) {
    const method = localMethodById(flags.attributionDifference);
    const seed = ctx.seed;
    const e: FairnessExplanation = await attributionDisparity(model, data, (x, target) => method.run(model, x, { target, ...(seed !== undefined ? { seed } : {}) }), {
      ...outcome, ...compare, bootstrap: ctx.bootstrap, confidence: ctx.confidence, ...(seed !== undefined ? { seed } : {}),
    });
    out.push({ explanation: e, text: `Mean ${method.id} attribution per group:\n${fairnessText(e)}` });
  }
  return out;
}
