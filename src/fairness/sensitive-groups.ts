/**
 * The sensitive attribute of each row, as a group id: a column of a tabular dataset (by feature
 * name or index; its distinct values are the groups), the one-hot columns `name=level` of a
 * categorical attribute (`'Sex'` → `Sex=FEMALE`, `Sex=MALE`), or one group label per row given by
 * the caller (any dataset, e.g. images whose attribute is not an input).
 */
import { check } from '../core/errors.js';

/** A sensitive attribute: a feature name or index, a one-hot prefix, or a label per row. */
export type SensitiveAttribute = string | number | readonly (string | number)[];

/** Groups of the rows: `groups[i]` indexes `names`. */
export interface SensitiveGroups {
  readonly names: readonly string[];
  readonly groups: Int32Array;
  /** What the groups were read from (`'Sex=…'`, a column name, or 'labels'). */
  readonly source: string;
}

/** Most groups a column may have (a numeric column with more values needs binning first). */
export const MAX_GROUPS = 32;

function fromLabels(labels: readonly (string | number)[], source: string, fn: string): SensitiveGroups {
  const distinct = [...new Set(labels.map(String))];
  const numeric = labels.every((v) => typeof v === 'number');
  distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  check(distinct.length <= MAX_GROUPS, 'input', () => `${fn}: the sensitive attribute '${source}' must have at most ${MAX_GROUPS} groups (bin a numeric column first); found ${distinct.length} distinct values`);
  const id = new Map(distinct.map((v, i) => [v, i]));
  return { names: distinct, groups: Int32Array.from(labels, (v) => id.get(String(v)) as number), source };
}

/**
 * The group of each of `rows` rows; `table` (row-major, `columns` each) is read for a column or a
 * one-hot prefix. An unknown name, an index out of range, a one-hot row with no level set or a
 * label list of the wrong length is a LumenError.
 */
export function sensitiveGroups(attribute: SensitiveAttribute, rows: number, table: { readonly values: ArrayLike<number>; readonly columns: number; readonly featureNames?: readonly string[] } | undefined, fn: string): SensitiveGroups {
  if (typeof attribute !== 'string' && typeof attribute !== 'number') {
    check(attribute.length === rows, 'input', () => `${fn}: expected a sensitive group label per row (${rows}); found ${attribute.length}`);
    return fromLabels(attribute as readonly (string | number)[], 'labels', fn);
  }
  check(table !== undefined, 'input', () => `${fn}: a sensitive column (${JSON.stringify(attribute)}) needs a tabular dataset (rows [columns]); give one group label per row instead`);
  const names = table.featureNames ?? [];
  const column = (c: number): number[] => Array.from({ length: rows }, (_, i) => table.values[i * table.columns + c]);
  if (typeof attribute === 'number') {
    check(Number.isInteger(attribute) && attribute >= 0 && attribute < table.columns, 'option', () => `${fn}: sensitive column index must be in [0, ${table.columns - 1}]; found ${attribute}`);
    return fromLabels(column(attribute), names[attribute] ?? `column ${attribute}`, fn);
  }
  const exact = names.indexOf(attribute);
  if (exact >= 0) return fromLabels(column(exact), attribute, fn);
  const prefix = `${attribute}=`;
  const levels = names.map((n, c) => [n, c] as const).filter(([n]) => n.startsWith(prefix));
  check(levels.length >= 1, 'option', () => `${fn}: sensitive attribute '${attribute}' is neither a feature nor a one-hot prefix '${prefix}…' of the dataset's features (${names.join(', ') || 'the dataset has no feature names'})`);
  const groups = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = -1;
    levels.forEach(([, c], k) => {
      if (table.values[i * table.columns + c] > 0.5 && best < 0) best = k;
    });
    check(best >= 0, 'input', () => `${fn}: row ${i} has none of the one-hot columns ${levels.map(([n]) => n).join(', ')} set`);
    groups[i] = best;
  }
  return { names: levels.map(([n]) => n.slice(prefix.length)), groups, source: `${prefix}…` };
}
