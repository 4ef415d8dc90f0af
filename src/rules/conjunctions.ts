/**
 * Conjunctions of interval tests on the units of one layer (`lower < x_j <= upper`), as the rule
 * terms of decompositional extraction (DeepRED, Zilke et al. 2016) are written: read off a tree's
 * leaves, multiplied together when a hidden unit's test is replaced by the rules that explain it,
 * and simplified — contradictions and conjunctions no training row satisfies dropped, duplicates
 * and conjunctions implied by a looser one of the same class removed.
 */
import type { DecisionTree } from './tree-arrays.js';

/** `lower < x <= upper` on one unit (−∞/+∞: no bound on that side). */
export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/** Unit index → its interval; the empty map is always true. */
export type Conjunction = ReadonlyMap<number, Interval>;

/** A conjunction and the class (or binary label) it implies. */
export interface Term {
  readonly when: Conjunction;
  readonly label: number;
}

/** Each leaf of a numeric tree as the conjunction of its path's tests (tightest bound per unit and side) and the leaf's class. */
export function treeTerms(tree: DecisionTree): Term[] {
  const out: Term[] = [];
  const walk = (node: number, when: Map<number, Interval>): void => {
    if (tree.childrenLeft[node] === -1) {
      const counts = tree.value[node];
      let label = 0;
      for (let c = 1; c < counts.length; c++) if (counts[c] > counts[label]) label = c;
      out.push({ when, label });
      return;
    }
    const f = tree.feature[node];
    const t = tree.threshold[node];
    const b = when.get(f) ?? { lower: -Infinity, upper: Infinity };
    walk(tree.childrenLeft[node], new Map(when).set(f, { lower: b.lower, upper: Math.min(b.upper, t) }));
    walk(tree.childrenRight[node], new Map(when).set(f, { lower: Math.max(b.lower, t), upper: b.upper }));
  };
  walk(0, new Map());
  return out;
}

/** The conjunction of both (intersected intervals), or null when they contradict. */
export function intersect(a: Conjunction, b: Conjunction): Conjunction | null {
  const out = new Map(a);
  for (const [unit, i] of b) {
    const j = out.get(unit);
    const lower = Math.max(i.lower, j?.lower ?? -Infinity);
    const upper = Math.min(i.upper, j?.upper ?? Infinity);
    if (!(lower < upper)) return null;
    out.set(unit, { lower, upper });
  }
  return out;
}

/** Whether row `r` of `values` (`columns` per row) satisfies the conjunction. */
export function satisfies(when: Conjunction, values: Float32Array, r: number, columns: number): boolean {
  for (const [unit, i] of when) {
    const v = values[r * columns + unit];
    if (!(v > i.lower && v <= i.upper)) return false;
  }
  return true;
}

/** How many of the `rows` rows satisfy the conjunction. */
export function support(when: Conjunction, values: Float32Array, rows: number, columns: number): number {
  let n = 0;
  for (let r = 0; r < rows; r++) if (satisfies(when, values, r, columns)) n++;
  return n;
}

function key(when: Conjunction): string {
  return [...when].sort((a, b) => a[0] - b[0]).map(([u, i]) => `${u}:${i.lower}:${i.upper}`).join('|');
}

/** Whether `loose` holds wherever `tight` does (each of its intervals contains tight's on that unit). */
export function implies(tight: Conjunction, loose: Conjunction): boolean {
  for (const [unit, i] of loose) {
    const j = tight.get(unit);
    if (!j || j.lower < i.lower || j.upper > i.upper) return false;
  }
  return true;
}

/**
 * The disjunction `a ∨ …` times `b ∨ …`: every consistent pairwise conjunction, kept only where at
 * least `minSupport` of the rows satisfy it, without duplicates.
 */
export function multiply(a: readonly Conjunction[], b: readonly Conjunction[], values: Float32Array, rows: number, columns: number, minSupport: number): Conjunction[] {
  const seen = new Set<string>();
  const out: Conjunction[] = [];
  for (const x of a) {
    for (const y of b) {
      const z = intersect(x, y);
      if (!z) continue;
      const k = key(z);
      if (seen.has(k)) continue;
      seen.add(k);
      if (support(z, values, rows, columns) >= minSupport) out.push(z);
    }
  }
  return out;
}

/** Removes, within each label, duplicates and every conjunction that implies another one (the looser one covers it). */
export function simplifyTerms(terms: readonly Term[]): Term[] {
  const seen = new Set<string>();
  const unique = terms.filter((t) => {
    const k = `${t.label}#${key(t.when)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return unique.filter((t, i) => !unique.some((u, j) => j !== i && u.label === t.label && implies(t.when, u.when) && !(implies(u.when, t.when) && j > i)));
}
