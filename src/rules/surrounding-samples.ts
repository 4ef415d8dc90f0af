/**
 * Extra rows around a table (the "extra samples around the data" of pedagogical rule extraction,
 * as TREPAN draws more queries than the training set holds): each is a row drawn at random with
 * Gaussian noise of `noise` × the column's standard deviation added to its numeric columns;
 * categorical columns keep the drawn row's value, so one-hot groups stay valid. Seeded.
 */
import type { ColumnKind } from '../core/dataset.js';
import { check } from '../core/errors.js';
import { Rng } from '../core/random.js';

/** `count` rows near the `rows` rows of `values` (row-major, `columns` each). */
export function surroundingSamples(values: Float32Array, rows: number, columns: number, options: { readonly count: number; readonly noise: number; readonly seed: number; readonly kinds?: readonly ColumnKind[] }): Float32Array {
  const { count, noise, seed, kinds } = options;
  check(Number.isInteger(count) && count >= 0, 'option', () => `surroundingSamples: samples must be an integer ≥ 0; found ${count}`);
  check(noise >= 0 && Number.isFinite(noise), 'option', () => `surroundingSamples: noise must be a number ≥ 0; found ${noise}`);
  const std = new Float64Array(columns);
  for (let c = 0; c < columns; c++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += values[r * columns + c];
    mean /= rows;
    let sq = 0;
    for (let r = 0; r < rows; r++) sq += (values[r * columns + c] - mean) ** 2;
    std[c] = Math.sqrt(sq / rows);
  }
  const rng = new Rng(seed);
  const out = new Float32Array(count * columns);
  for (let i = 0; i < count; i++) {
    const r = rng.int(rows);
    for (let c = 0; c < columns; c++) {
      const v = values[r * columns + c];
      out[i * columns + c] = kinds?.[c] === 'categorical' ? v : v + noise * std[c] * rng.normal();
    }
  }
  return out;
}
