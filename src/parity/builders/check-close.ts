import { LumenError } from '../../core/errors.js';

/**
 * Throws (failing the entry) unless `got` has `want`'s length and max|got − want| ≤ tol · max|want| + 1e-7
 * (the fixtures' tolerance rule): for the parts of an entry checked apart from its compared numbers
 * (grids, exact optima, discrete predictions with tol 0).
 */
export function checkClose(what: string, got: readonly number[], want: readonly number[], tol: number): void {
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const err = got.length === want.length ? got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0) : Infinity;
  if (!(err <= tol * scale + 1e-7)) throw new LumenError('numeric', `${what}: ${got.length} values differ from the reference's ${want.length} by ${err} (allowed ${tol} relative)`);
}
