/**
 * Percentiles (0–100) of sorted values with numpy's default 'linear' method: the virtual index
 * h = (n − 1)·p/100 interpolated between its neighbours, in numpy's own arithmetic (from the upper
 * neighbour when the fraction is ≥ 0.5), so grids built on it match numpy's to the last bit.
 */
export function numpyPercentile(sorted: ArrayLike<number>, percents: readonly number[]): number[] {
  const n = sorted.length;
  return percents.map((p) => {
    const h = (n - 1) * (p / 100);
    const lo = Math.min(Math.max(Math.floor(h), 0), n - 1);
    const hi = Math.min(lo + 1, n - 1);
    const t = h - lo;
    const a = sorted[lo];
    const b = sorted[hi];
    const diff = b - a;
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
  });
}

/** `n` evenly spaced numbers from `start` to `stop` inclusive, as `numpy.linspace` computes them. */
export function linspace(start: number, stop: number, n: number): number[] {
  if (n <= 0) return [];
  if (n === 1) return [start];
  const step = (stop - start) / (n - 1);
  const out = Array.from({ length: n }, (_, i) => start + i * step);
  out[n - 1] = stop;
  return out;
}

/** The sorted distinct values of `values` (`numpy.unique`). */
export function uniqueSorted(values: ArrayLike<number>): number[] {
  const sorted = Float64Array.from(values).sort();
  const out: number[] = [];
  for (const v of sorted) if (out.length === 0 || out[out.length - 1] !== v) out.push(v);
  return out;
}
