import type { ColumnKind } from '../core/dataset.js';
import type { RuleCondition } from '../core/explanation.js';
import type { Rng } from '../core/random.js';
import type { AnchorSampler } from './anchor-sampler.js';
import { binOf, quartileEdges } from './quartile-bins.js';

/** A tabular sampler, plus the rule conditions each feature stands for. */
export interface TabularAnchorSampler extends AnchorSampler {
  /** The condition(s) feature `f` stands for: the instance's quartile bin, or its category. */
  conditions(f: number): RuleCondition[];
}

/**
 * The tabular domain of Anchors: numeric columns discretised into quartile bins of the data,
 * categorical ones by value. A feature holds on a row when the row's bin (or category) is the
 * instance's. Samples are data rows whose anchored features are copied, together, from a data row
 * on which the whole anchor holds (the instance's values if no row does), as alibi's sampler does.
 */
export function tabularAnchorSampler(table: Float32Array, rows: number, instance: ArrayLike<number>, kinds: readonly ColumnKind[], names: readonly string[]): TabularAnchorSampler {
  const d = instance.length;
  const edges = kinds.map((k, j) => (k === 'numeric' ? quartileEdges(Array.from({ length: rows }, (_, i) => table[i * d + j])) : []));
  const bin = (v: number, j: number): number => (kinds[j] === 'numeric' ? binOf(v, edges[j]) : v);
  const own = Array.from({ length: d }, (_, j) => bin(instance[j], j));
  const rowFlags = new Uint8Array(rows * d);
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) rowFlags[i * d + j] = bin(table[i * d + j], j) === own[j] ? 1 : 0;
  const matching = new Map<string, number[]>();
  const matchingRows = (anchor: readonly number[]): number[] => {
    const k = anchor.join(',');
    let m = matching.get(k);
    if (!m) {
      m = [];
      for (let i = 0; i < rows; i++) if (anchor.every((f) => rowFlags[i * d + f] === 1)) m.push(i);
      matching.set(k, m);
    }
    return m;
  };
  const flagsOf = (inputs: Float32Array, n: number): Uint8Array => {
    const flags = new Uint8Array(n * d);
    for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) flags[r * d + j] = bin(inputs[r * d + j], j) === own[j] ? 1 : 0;
    return flags;
  };
  return {
    featureCount: d,
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
        for (const f of anchor) inputs[r * d + f] = donor >= 0 ? table[donor * d + f] : instance[f];
      }
      return { inputs, flags: flagsOf(inputs, n) };
    },
    coverageFlags(n, rng) {
      const flags = new Uint8Array(n * d);
      for (let r = 0; r < n; r++) {
        const i = rng.int(rows);
        flags.set(rowFlags.subarray(i * d, (i + 1) * d), r * d);
      }
      return flags;
    },
    conditions(f) {
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
