import type { ExplanationRule, RuleCondition } from '../core/explanation.js';
import type { Standardization } from '../data/penguins.js';

/** A number as the CLI prints it: at most 4 significant digits, no trailing zeros. */
function short(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/**
 * One condition in the data's own terms: a standardised column's threshold back in its unit
 * (`value · std + mean`, the names carry the unit, e.g. 'Flipper Length (mm) > 213'), and a
 * one-hot column `Island=Dream == 1` as `Island = Dream` (`== 0`: `Island ≠ Dream`).
 */
export function conditionText(c: RuleCondition, standardization?: Standardization): string {
  const oneHot = /^(.+)=(.+)$/.exec(c.feature);
  if (oneHot && c.op === '==' && (c.value === 0 || c.value === 1)) return `${oneHot[1]} ${c.value === 1 ? '=' : '≠'} ${oneHot[2]}`;
  const k = standardization?.features.indexOf(c.feature) ?? -1;
  const value = typeof c.value === 'number' && standardization && k >= 0 ? c.value * standardization.std[k] + standardization.mean[k] : c.value;
  const shown = typeof value === 'number' ? short(value) : Array.isArray(value) ? `{${value.join(', ')}}` : String(value);
  return `${c.feature} ${c.op} ${shown}`;
}

/** Two bounds on one feature (`a < f <= b`) read as one: `f in (a, b]`. */
function merged(conditions: readonly RuleCondition[], standardization?: Standardization): string[] {
  const out: string[] = [];
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i];
    const next = conditions[i + 1];
    if (c.op === '>' && next && next.feature === c.feature && next.op === '<=') {
      const lo = conditionText(c, standardization).split(' > ').pop();
      const hi = conditionText(next, standardization).split(' <= ').pop();
      out.push(`${lo} < ${c.feature} <= ${hi}`);
      i++;
    } else out.push(conditionText(c, standardization));
  }
  return out;
}

/** A rule as if-then text: `IF a AND b THEN outcome  (precision 0.98, coverage 0.22)`. */
export function ruleText(rule: ExplanationRule, standardization?: Standardization): string {
  const parts = merged(rule.conditions, standardization);
  const when = parts.length > 0 ? `IF ${parts.join(' AND ')}` : 'ALWAYS (empty anchor)';
  return `${when} THEN ${rule.outcome}  (precision ${rule.precision.toFixed(3)}, coverage ${rule.coverage.toFixed(3)})`;
}
