/**
 * Per-group tallies every group fairness metric is computed from: rows, predicted positives, the
 * confusion-matrix cells and, per calibration bin, rows, summed scores and summed labels. Counting
 * is the only pass over the rows, so a bootstrap resample costs one pass and no model call.
 */

/** The outcomes of a binary decision on grouped rows (1 = the favourable / positive outcome). */
export interface GroupedOutcomes {
  /** Group id of each row, an index into `groupNames`. */
  readonly groups: Int32Array;
  readonly groupNames: readonly string[];
  /** The decision, 0 or 1, per row. */
  readonly predicted: Uint8Array;
  /** The true outcome, 0 or 1, per row (absent: the label metrics are not computed). */
  readonly labels?: Uint8Array;
  /** The model's probability of the positive outcome per row (for calibration). */
  readonly scores?: Float64Array;
}

/** Offsets of the tallies in one group's block. */
export const COUNT = { n: 0, selected: 1, tp: 2, fp: 3, fn: 4, tn: 5, scoreSum: 6, labelSum: 7 } as const;
/** Tallies before the calibration bins. */
export const COUNT_FIELDS = 8;

/** Length of one group's block with `bins` calibration bins (3 tallies per bin). */
export function blockSize(bins: number): number {
  return COUNT_FIELDS + 3 * bins;
}

/** The calibration bin of a score: `bins` equal-width bins on [0, 1], 1 in the last. */
export function scoreBin(score: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.floor(score * bins)));
}

/**
 * Tallies `o` per group, over all rows or over the rows `rows` (a bootstrap resample, repeats
 * allowed): a Float64Array of `groupNames.length` blocks of `blockSize(bins)`.
 */
export function groupCounts(o: GroupedOutcomes, bins: number, rows?: ArrayLike<number>): Float64Array {
  const size = blockSize(bins);
  const out = new Float64Array(o.groupNames.length * size);
  const count = rows ? rows.length : o.groups.length;
  for (let r = 0; r < count; r++) {
    const i = rows ? rows[r] : r;
    const b = o.groups[i] * size;
    const p = o.predicted[i];
    out[b + COUNT.n] += 1;
    out[b + COUNT.selected] += p;
    if (o.labels) {
      const y = o.labels[i];
      out[b + (y ? (p ? COUNT.tp : COUNT.fn) : p ? COUNT.fp : COUNT.tn)] += 1;
      out[b + COUNT.labelSum] += y;
    }
    if (o.scores) {
      const s = o.scores[i];
      out[b + COUNT.scoreSum] += s;
      if (o.labels) {
        const k = b + COUNT_FIELDS + 3 * scoreBin(s, bins);
        out[k] += 1;
        out[k + 1] += s;
        out[k + 2] += o.labels[i];
      }
    }
  }
  return out;
}

/** The sum of the blocks of the groups `members` (AIF360's pooled unprivileged rows). */
export function pooledBlock(counts: Float64Array, size: number, members: readonly number[]): Float64Array {
  const out = new Float64Array(size);
  for (const g of members) for (let k = 0; k < size; k++) out[k] += counts[g * size + k];
  return out;
}
