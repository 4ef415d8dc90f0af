import type { Rng } from '../core/random.js';

/**
 * What the Anchors search needs of a domain (tabular rows, superpixels, tokens): a number of
 * candidate features, perturbed inputs where a set of them (the anchor) holds, and for each
 * perturbed input which features hold — the search reuses samples across anchors by these flags.
 */
export interface AnchorSampler {
  /** Candidate features: columns, superpixels or token positions. */
  readonly featureCount: number;
  /** Values of one model input (its flattened size). */
  readonly inputSize: number;
  /**
   * Whether features are perturbed independently of each other, so that a sample drawn for one
   * anchor on which more features happen to hold is a sample of the larger anchor too (superpixels,
   * tokens). Tabular rows are not: their unanchored columns come from one data row, so conditioning
   * on a column that happens to match selects correlated rows.
   */
  readonly independent: boolean;
  /** The tensor dtype of the model input ('int32' for token ids). */
  readonly dtype: 'float32' | 'int32';
  /**
   * `n` perturbed inputs on which every feature of `anchor` holds: `inputs` `[n × inputSize]`
   * and `flags` `[n × featureCount]` (1 where the feature's condition holds on the sample).
   */
  sample(anchor: readonly number[], n: number, rng: Rng): { inputs: Float32Array; flags: Uint8Array };
  /** Flags `[n × featureCount]` of `n` samples drawn with no anchor: what coverage is measured on. */
  coverageFlags(n: number, rng: Rng): Uint8Array;
}

/** Share of the rows of `flags` (`featureCount` columns) on which every feature of `anchor` holds. */
export function anchorCoverage(flags: Uint8Array, featureCount: number, anchor: readonly number[]): number {
  const n = flags.length / featureCount;
  if (n === 0) return 0;
  let covered = 0;
  for (let r = 0; r < n; r++) {
    let all = true;
    for (const f of anchor) if (flags[r * featureCount + f] !== 1) { all = false; break; }
    if (all) covered++;
  }
  return covered / n;
}
