/**
 * Rule lists and trees as readable if-then text: feature names with their units (a name such as
 * `Flipper Length (mm)` puts `mm` after the value), one-hot columns (`Island=Dream`) read as
 * `Island is Dream`, and thresholds shown on the data's own scale when a `FeatureScale` is given
 * (e.g. the bundled penguins' standardisation undone).
 */
import type { RuleCondition, RulesExplanation, TreeExplanation, TreeNodeRecord } from '../core/explanation.js';

/** Shown value = stored value × scale + offset (a standardised column: scale = std, offset = mean). */
export interface FeatureScale {
  readonly scale: number;
  readonly offset: number;
}

/** How text is written: per-feature scales and significant digits (default 4). */
export interface RulesTextOptions {
  readonly featureScales?: { readonly [feature: string]: FeatureScale };
  readonly digits?: number;
}

function number(v: number, digits: number): string {
  return Number(v.toPrecision(digits)).toString();
}

/** `Flipper Length (mm)` → name `Flipper Length`, unit `mm`. */
function nameAndUnit(feature: string): { name: string; unit: string } {
  const m = /^(.*?)\s*\(([^()]+)\)\s*$/.exec(feature);
  return m ? { name: m[1], unit: ` ${m[2]}` } : { name: feature, unit: '' };
}

/** One condition as text. */
export function conditionText(c: RuleCondition, options: RulesTextOptions = {}): string {
  const digits = options.digits ?? 4;
  const oneHot = /^(.+)=(.+)$/.exec(c.feature);
  const single = c.op === '==' || c.op === '!=' ? c.value : Array.isArray(c.value) && c.value.length === 1 ? c.value[0] : undefined;
  if (oneHot && (single === 0 || single === 1)) {
    const yes = (single === 1) === (c.op !== '!=');
    return `${oneHot[1]} is ${yes ? '' : 'not '}${oneHot[2]}`;
  }
  const { name, unit } = nameAndUnit(c.feature);
  const s = options.featureScales?.[c.feature];
  const show = (v: number | string): string => (typeof v === 'number' ? number(s ? v * s.scale + s.offset : v, digits) : v);
  if (Array.isArray(c.value)) return `${name} in {${c.value.map(show).join(', ')}}`;
  return `${name} ${c.op} ${show(c.value as number | string)}${unit}`;
}

function percent(v: number): string {
  return `${Number((100 * v).toPrecision(3))}%`;
}

/** A rule list, one numbered `if … then …` line per rule with its coverage, precision and support. */
export function rulesText(e: RulesExplanation, options: RulesTextOptions = {}): string {
  const lines = e.rules.map((r, i) => {
    const when = r.conditions.length ? r.conditions.map((c) => conditionText(c, options)).join(' and ') : 'always';
    const support = r.support !== undefined ? `, ${r.support} row${r.support === 1 ? '' : 's'}` : '';
    return `${i + 1}. if ${when} then ${r.outcome}   (coverage ${percent(r.coverage)}, precision ${percent(r.precision)}${support})`;
  });
  const fidelity = e.fidelity !== undefined ? `; fidelity to the model ${percent(e.fidelity)} on held-out rows` : '';
  return [`${e.rules.length} rules (${e.method}${fidelity}):`, ...lines].join('\n');
}

/** A tree as indented text: each split's test, each leaf's class and class shares. */
export function treeText(e: TreeExplanation, options: RulesTextOptions = {}): string {
  const classNames = (e.meta?.classNames as readonly string[] | undefined) ?? [];
  const out: string[] = [];
  const walk = (n: TreeNodeRecord, indent: string): void => {
    if (!n.left || !n.right || n.feature === undefined) {
      const best = n.value.indexOf(Math.max(...n.value));
      out.push(`${indent}→ ${classNames[best] ?? best} (${n.samples} rows; ${n.value.map((v) => percent(v)).join(' / ')})`);
      return;
    }
    const test: RuleCondition = n.categories ? { feature: n.feature, op: 'in', value: n.categories } : { feature: n.feature, op: '<=', value: n.threshold ?? 0 };
    out.push(`${indent}if ${conditionText(test, options)}:`);
    walk(n.left, `${indent}  `);
    out.push(`${indent}else:`);
    walk(n.right, `${indent}  `);
  };
  walk(e.root, '');
  const fidelity = e.fidelity !== undefined ? `, fidelity to the model ${percent(e.fidelity)} on held-out rows` : '';
  return [`decision tree (${e.method}${fidelity}):`, ...out].join('\n');
}
