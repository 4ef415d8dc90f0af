/**
 * Per column of a table `[rows × d]`: the median absolute deviation from the median (Wachter et
 * al.'s scale; a column with MAD 0 gets 1, so it still costs to change) and the range.
 */
export function featureScales(table: Float32Array, rows: number, d: number): { mad: number[]; min: number[]; max: number[] } {
  const median = (v: Float64Array): number => {
    const s = Float64Array.from(v).sort();
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const mad: number[] = [];
  const min: number[] = [];
  const max: number[] = [];
  for (let j = 0; j < d; j++) {
    const col = Float64Array.from({ length: rows }, (_, i) => table[i * d + j]);
    const med = median(col);
    const m = median(col.map((v) => Math.abs(v - med)));
    mad.push(m > 0 ? m : 1);
    min.push(Math.min(...col));
    max.push(Math.max(...col));
  }
  return { mad, min, max };
}
