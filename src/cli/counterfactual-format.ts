import type { AttackExplanation } from '../core/explanation.js';
import type { FeatureChange } from '../counterfactual/tabular-constraints.js';
import type { Standardization } from '../data/penguins.js';
import { formatTable } from './table.js';

/** A number as the CLI prints it: at most 4 significant digits, no trailing zeros. */
function short(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/** A column's value in the data's own unit (`value · std + mean` for a standardised column). */
function inUnit(feature: string, v: number, standardization?: Standardization): number {
  const k = standardization?.features.indexOf(feature) ?? -1;
  return standardization && k >= 0 ? v * standardization.std[k] + standardization.mean[k] : v;
}

/**
 * A counterfactual explanation as text: per counterfactual a header (its row, the class before →
 * after, whether it reached the target, its MAD-scaled L1 distance) and a table of the changed
 * features, before → after in the data's units (`rows` labels the explained rows).
 */
export function counterfactualText(e: AttackExplanation, rows: readonly string[], classNames?: readonly string[], standardization?: Standardization): string {
  const meta = e.meta ?? {};
  const changes = meta.changes as unknown as FeatureChange[][];
  const query = (meta.query as number[] | undefined) ?? e.predictions.map((_, i) => i);
  const target = meta.target as number[];
  const name = (c: number): string => classNames?.[c] ?? String(c);
  const out: string[] = [];
  e.predictions.forEach((p, i) => {
    const t = target[i];
    const reached = p === t;
    const head = `${rows[query[i]]}: ${name(e.originalPredictions[i])} → ${name(p)}${reached ? '' : `  [target ${name(t)} not reached]`}  (distance ${short(e.norms?.[i] ?? 0)} MAD-L1, ${changes[i].length} feature${changes[i].length === 1 ? '' : 's'} changed)`;
    out.push(head);
    if (changes[i].length > 0) {
      const table = changes[i].map((c) => [c.feature, short(inUnit(c.feature, c.before, standardization)), '→', short(inUnit(c.feature, c.after, standardization))]);
      out.push(formatTable(['feature', 'before', '', 'after'], table).replace(/^/gm, '  '));
    }
  });
  return `${out.join('\n')}\n`;
}

/**
 * A CEM explanation (Dhurandhar et al. 2018) as text: per input its class, the pertinent
 * negative's class (mode pn) or whether the pertinent positive alone keeps the class (mode pp),
 * ‖δ‖₁, the number of values it changes (PN) or keeps (PP), and the c that found it.
 */
export function contrastiveText(e: AttackExplanation, rows: readonly string[], classNames?: readonly string[]): string {
  const meta = e.meta ?? {};
  const mode = meta.mode as 'pn' | 'pp';
  const found = meta.found as boolean[];
  const c = meta.c as (number | null)[];
  const centre = meta.absentValue as number;
  const per = e.shape.reduce((a, b) => a * b, 1);
  const name = (k: number): string => classNames?.[k] ?? String(k);
  const lines = e.predictions.map((p, i) => {
    const values = e.inputs.slice(i * per, (i + 1) * per);
    const kept = values.filter((v) => Math.abs(v - centre) > 1e-6).length;
    const what = mode === 'pn'
      ? `pertinent negative → ${name(p)}${found[i] ? '' : '  [none found: class kept]'}`
      : `pertinent positive → ${name(p)}${found[i] ? '' : '  [none found]'} (${kept} of ${per} values present)`;
    return `${rows[i]}: ${name(e.originalPredictions[i])}, ${what}  (‖δ‖₁ ${short(e.norms?.[i] ?? 0)}${c[i] === null ? '' : `, c ${short(c[i] as number)}`})`;
  });
  return `${lines.join('\n')}\n`;
}
