import { check } from '../../core/errors.js';

/**
 * The centre of mass of a non-negative map laid out row-major over `shape` ([H, W] or [P]):
 * Σ_p m_p · coords(p) / Σ_p m_p, in positions (row, column). Ghorbani et al.'s (2019) C(x).
 */
export function centerOfMass(map: ArrayLike<number>, shape: readonly number[]): number[] {
  const size = shape.reduce((a, b) => a * b, 1);
  check(map.length === size, 'input', () => `centerOfMass: map of ${map.length} values does not fit shape [${shape.join(', ')}]`);
  const width = shape.length === 2 ? shape[1] : size;
  let total = 0;
  let r = 0;
  let c = 0;
  for (let p = 0; p < size; p++) {
    const m = Math.max(0, map[p]);
    total += m;
    r += m * Math.floor(p / width);
    c += m * (p % width);
  }
  if (total === 0) return shape.length === 2 ? [Number.NaN, Number.NaN] : [Number.NaN];
  return shape.length === 2 ? [r / total, c / total] : [c / total];
}

/** Centre-of-mass shift: the Euclidean distance between the centres of mass of two maps (positions). */
export function centerOfMassShift(a: ArrayLike<number>, b: ArrayLike<number>, shape: readonly number[]): number {
  const ca = centerOfMass(a, shape);
  const cb = centerOfMass(b, shape);
  return Math.hypot(...ca.map((v, i) => v - cb[i]));
}
