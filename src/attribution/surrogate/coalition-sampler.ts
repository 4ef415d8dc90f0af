import { check } from '../../core/errors.js';
import type { Rng } from '../../core/random.js';
import { binomial } from './shapley-values.js';

/** Coalitions z ∈ {0,1}^K (row-major, `count` rows of `k`) with a weight per row. */
export interface WeightedCoalitions {
  readonly k: number;
  readonly count: number;
  readonly rows: Uint8Array;
  readonly weights: Float64Array;
  /** Whether every coalition but ∅ and F is present (the fit is then exact). */
  readonly exact: boolean;
}

/**
 * The Shapley kernel's weight of a coalition of `size` of `k` features,
 * π(z) = (K − 1) / (C(K, |z|) · |z| · (K − |z|)) (Lundberg & Lee, 2017, Theorem 2); ∅ and F
 * (infinite weight) are left out: KernelSHAP enforces them as constraints.
 */
export function shapleyKernelWeight(k: number, size: number): number {
  return (k - 1) / (binomial(k, size) * size * (k - size));
}

/**
 * KernelSHAP's coalitions for a budget of `budget` rows (∅ and F not counted), as the SHAP library
 * draws them: all 2^K − 2 when the budget allows (weights π); otherwise coalition sizes are filled
 * completely, smallest and largest first (s with K − s), while the budget covers a size's every
 * subset at its share of the kernel mass, and the rest is sampled — a size drawn ∝ its remaining
 * mass, a uniform subset of that size, and, when `paired`, its complement too (Covert & Lee, 2021).
 * Repeated draws add weight to one row; the sampled rows share the remaining mass.
 */
export function shapleyKernelCoalitions(k: number, budget: number, rng: Rng, paired: boolean): WeightedCoalitions {
  check(Number.isInteger(k) && k >= 2, 'option', () => `shapleyKernelCoalitions: needs at least 2 features; found ${k}`);
  check(Number.isInteger(budget) && budget >= 1, 'option', () => `shapleyKernelCoalitions: samples must be a positive integer; found ${budget}`);
  const rows: number[][] = [];
  const weights: number[] = [];
  if (k <= 30 && budget >= 2 ** k - 2) {
    for (let mask = 1; mask < 2 ** k - 1; mask++) {
      const z = Array.from({ length: k }, (_, j) => Math.floor(mask / 2 ** j) % 2);
      rows.push(z);
      weights.push(shapleyKernelWeight(k, z.reduce((a, b) => a + b, 0)));
    }
    return pack(k, rows, weights, true);
  }
  const sizes = Math.ceil((k - 1) / 2);
  const pairedSizes = Math.floor((k - 1) / 2);
  const mass = Array.from({ length: sizes }, (_, i) => ((k - 1) / ((i + 1) * (k - i - 1))) * (i + 1 <= pairedSizes ? 2 : 1));
  const total = mass.reduce((a, b) => a + b, 0);
  for (let i = 0; i < sizes; i++) mass[i] /= total;
  const remaining = [...mass];
  let left = budget;
  let full = 0;
  for (let i = 0; i < sizes; i++) {
    const s = i + 1;
    const both = s <= pairedSizes;
    const subsets = binomial(k, s) * (both ? 2 : 1);
    if (!((left * remaining[i]) / subsets >= 1 - 1e-8)) break;
    const w = mass[i] / binomial(k, s) / (both ? 2 : 1);
    forEachSubset(k, s, (z) => {
      rows.push(z);
      weights.push(w);
      if (both) {
        rows.push(z.map((v) => 1 - v));
        weights.push(w);
      }
    });
    left -= subsets;
    full++;
    if (remaining[i] < 1) for (let j = i + 1; j < sizes; j++) remaining[j] /= 1 - remaining[i];
  }
  const fixed = rows.length;
  if (full < sizes && left > 0) {
    const probs = remaining.slice(full);
    const sum = probs.reduce((a, b) => a + b, 0);
    const seen = new Map<string, number>();
    const add = (z: number[]): void => {
      const key = z.join('');
      const at = seen.get(key);
      if (at !== undefined) {
        weights[at] += 1;
        return;
      }
      seen.set(key, rows.length);
      rows.push(z);
      weights.push(1);
      left--;
    };
    for (let attempt = 0; left > 0 && attempt < 4 * budget + 100; attempt++) {
      let u = rng.uniform() * sum;
      let pick = 0;
      while (pick < probs.length - 1 && u >= probs[pick]) u -= probs[pick++];
      const s = full + pick + 1;
      const z = randomSubset(k, s, rng);
      add(z);
      if (paired && left > 0) add(z.map((v) => 1 - v));
    }
    const leftMass = mass.slice(full).reduce((a, b) => a + b, 0);
    let drawn = 0;
    for (let r = fixed; r < rows.length; r++) drawn += weights[r];
    for (let r = fixed; r < rows.length; r++) weights[r] *= leftMass / drawn;
  }
  return pack(k, rows, weights, false);
}

/** `count` coalitions for LIME on interpretable features: row 0 all ones (the instance), the others uniform on {0,1}^K (lime_image). */
export function uniformCoalitions(k: number, count: number, rng: Rng): Uint8Array {
  const out = new Uint8Array(count * k);
  for (let j = 0; j < k; j++) out[j] = 1;
  for (let i = k; i < out.length; i++) out[i] = rng.uniform() < 0.5 ? 1 : 0;
  return out;
}

/** A uniform random subset of `s` of `k` features as a 0/1 vector (partial Fisher–Yates). */
function randomSubset(k: number, s: number, rng: Rng): number[] {
  const idx = Array.from({ length: k }, (_, i) => i);
  const z = new Array<number>(k).fill(0);
  for (let i = 0; i < s; i++) {
    const j = i + rng.int(k - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
    z[idx[i]] = 1;
  }
  return z;
}

/** Calls `visit` with every subset of size `s` of `k` features (lexicographic), as a 0/1 vector. */
function forEachSubset(k: number, s: number, visit: (z: number[]) => void): void {
  const pick = Array.from({ length: s }, (_, i) => i);
  for (;;) {
    const z = new Array<number>(k).fill(0);
    for (const p of pick) z[p] = 1;
    visit(z);
    let i = s - 1;
    while (i >= 0 && pick[i] === k - s + i) i--;
    if (i < 0) return;
    pick[i]++;
    for (let j = i + 1; j < s; j++) pick[j] = pick[j - 1] + 1;
  }
}

function pack(k: number, rows: number[][], weights: number[], exact: boolean): WeightedCoalitions {
  const out = new Uint8Array(rows.length * k);
  rows.forEach((z, r) => out.set(z, r * k));
  return { k, count: rows.length, rows: out, weights: Float64Array.from(weights), exact };
}
