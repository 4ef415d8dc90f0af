import type { ColumnKind } from '../core/dataset.js';
import type { RuleCondition } from '../core/explanation.js';
import type { Rng } from '../core/random.js';
import type { AnchorSampler } from './anchor-sampler.js';
import { binOf, quartileEdges } from './quartile-bins.js';

/** A tabular sampler, plus the rule conditions each feature stands for. */
export interface TabularAnchorSampler extends AnchorSampler {
  /** The condition(s) feature `f` stands for: the instance's quartile bin, or its category. */
  conditions(f: number): RuleCondition[];
  /** The columns of each feature. */
  readonly groups: readonly (readonly number[])[];
}

/**
 * Anchors' features of a table: one per numeric column, one per categorical column, and one per
 * set of one-hot columns named `Name=Level` with the same `Name` (a categorical variable read as
 * one feature, so an anchor never says both `Sex ≠ MALE` and `Sex = FEMALE`).
 */
export function tabularFeatureGroups(kinds: readonly ColumnKind[], names: readonly string[]): number[][] {
  const groups: number[][] = [];
  const byName = new Map<string, number[]>();
  kinds.forEach((k, j) => {
    const m = k === 'categorical' ? /^(.+)=.+$/.exec(names[j]) : null;
    if (!m) { groups.push([j]); return; }
    const g = byName.get(m[1]);
    if (g) g.push(j);
    else { const fresh = [j]; byName.set(m[1], fresh); groups.push(fresh); }
  });
  return groups;
}

/**
 * The tabular domain of Anchors: numeric columns discretised into quartile bins of the data,
 * categorical ones by value, one-hot sets as one feature (`groups`). A feature holds on a row when
 * the row's bins (or categories) in its columns are the instance's. Samples are data rows whose anchored features are copied, together, from a data row
 * on which the whole anchor holds (the instance's values if no row does), as alibi's sampler does.
 */
export function tabularAnchorSampler(table: Float32Array, rows: number, instance: ArrayLike<number>, kinds: readonly ColumnKind[], names: readonly string[], groups: readonly (readonly number[])[] = tabularFeatureGroups(kinds, names)): TabularAnchorSampler {
  const d = instance.length;
  const F = groups.length;
  const edges = kinds.map((k, j) => (k === 'numeric' ? quartileEdges(Array.from({ length: rows }, (_, i) => table[i * d + j])) : []));
  const bin = (v: number, j: number): number => (kinds[j] === 'numeric' ? binOf(v, edges[j]) : v);
  const own = Array.from({ length: d }, (_, j) => bin(instance[j], j));
  const flagsOf = (values: Float32Array, n: number): Uint8Array => {
    const flags = new Uint8Array(n * F);
    for (let r = 0; r < n; r++) groups.forEach((g, f) => { flags[r * F + f] = g.every((j) => bin(values[r * d + j], j) === own[j]) ? 1 : 0; });
    return flags;
  };
  const rowFlags = flagsOf(table, rows);
  const matching = new Map<string, number[]>();
  const matchingRows = (anchor: readonly number[]): number[] => {
    const k = anchor.join(',');
    let m = matching.get(k);
    if (!m) {
      m = [];
      for (let i = 0; i < rows; i++) if (anchor.every((f) => rowFlags[i * F + f] === 1)) m.push(i);
      matching.set(k, m);
    }
    return m;
  };
  return {
    featureCount: F,
    groups,
    inputSize: d,
    independent: false,
    dtype: 'float32',
    sample(anchor, n, rng: Rng) {
      const inputs = new Float32Array(n * d);
      const donors = matchingRows(anchor);
      for (let r = 0; r < n; r++) {
        const base = rng.int(rows);
        inputs.set(table.subarray(base * d, (base + 1) * d), r * d);
        if (anchor.length === 0) continue;
        const donor = donors.length > 0 ? donors[rng.int(donors.length)] : -1;
        for (const f of anchor) for (const j of groups[f]) inputs[r * d + j] = donor >= 0 ? table[donor * d + j] : instance[j];
      }
      return { inputs, flags: flagsOf(inputs, n) };
    },
    coverageFlags(n, rng) {
      const flags = new Uint8Array(n * F);
      for (let r = 0; r < n; r++) {
        const i = rng.int(rows);
        flags.set(rowFlags.subarray(i * F, (i + 1) * F), r * F);
      }
      return flags;
    },
    conditions(group) {
      const cols = groups[group];
      if (cols.length > 1) {
        const hot = cols.filter((j) => instance[j] === 1);
        return hot.length === 1 ? [{ feature: names[hot[0]], op: '==', value: 1 }] : cols.map((j) => ({ feature: names[j], op: '==' as const, value: instance[j] }));
      }
      const f = cols[0];
      const feature = names[f];
      if (kinds[f] !== 'numeric') return [{ feature, op: '==', value: instance[f] }];
      const e = edges[f];
      const b = own[f];
      const out: RuleCondition[] = [];
      if (b > 0) out.push({ feature, op: '>', value: e[b - 1] });
      if (b < e.length) out.push({ feature, op: '<=', value: e[b] });
      return out;
    },
  };
}
