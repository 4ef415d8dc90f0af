import { check } from '../core/errors.js';
import { Rng } from '../core/random.js';

/** Indices of a seeded train/held-out split: disjoint, together 0…count−1. */
export interface Split {
  /** Training indices, in the seeded shuffled order. */
  readonly train: Int32Array;
  /** Held-out indices, in the seeded shuffled order. */
  readonly heldOut: Int32Array;
  readonly seed: number;
}

/**
 * Splits `count` examples into train and held-out sets with a seeded permutation: the first
 * `heldOut` entries of `new Rng(seed).permutation(count)` are held out, the rest train. The same
 * (count, heldOut, seed) always gives the same split, on every platform.
 */
export function seededSplit(count: number, heldOut: number, seed: number): Split {
  check(Number.isInteger(count) && count > 0, 'option', () => `seededSplit: count must be a positive integer; found ${count}`);
  check(Number.isInteger(heldOut) && heldOut > 0 && heldOut < count, 'option',
    () => `seededSplit: heldOut must be an integer in 1…${count - 1}; found ${heldOut}`);
  const perm = new Rng(seed).permutation(count);
  return { heldOut: perm.slice(0, heldOut), train: perm.slice(heldOut), seed };
}
