import type * as tf from '@tensorflow/tfjs';
import type { MethodOptions } from '../methods.js';
import type { Fixture, FixtureEntry } from '../models/fixture.js';

/**
 * How Lumen reproduces one recorded entry: a registry method with its options (compared with the
 * entry's `attribution`), or, for metrics and entries that need their own set-up (recorded
 * perturbation tables, initial relevances), a `compute` that returns the numbers to compare.
 */
export type ParityCase =
  | {
      readonly method: string;
      readonly options: MethodOptions;
      /** The input to explain (defaults to the fixture's inputs). */
      readonly input?: tf.Tensor;
    }
  | {
      /** The registry method or metric this case exercises (checked to exist). */
      readonly method: string;
      /** Computes the values compared with the entry's reference, flattened in its layout. */
      readonly compute: () => Promise<ArrayLike<number>>;
      /** The numbers to compare with when they are not the entry's own `attribution`/`value`/`scores` (e.g. a recorded stable-sort alternative, or Quantus curves and booleans as numbers). */
      readonly reference?: ArrayLike<number>;
    };

/** Builds the case of one fixture entry, or null when Lumen does not implement its arguments. */
export type CaseBuilder = (entry: FixtureEntry, kwargs: Readonly<Record<string, unknown>>, fixture: Fixture) => ParityCase | null;

/** The key a builder is registered under: the Captum or Quantus class, `zennit`, or a wave-2 entry's function or class. */
export function entryKey(entry: FixtureEntry): string | undefined {
  if (typeof entry.captum_class === 'string') return entry.captum_class;
  if (typeof entry.quantus_class === 'string') return entry.quantus_class;
  if (entry.library === 'zennit') return 'zennit';
  // Wave-2 entries name the reference function or class (scikit-learn, alibi …).
  if (typeof entry.function === 'string') return entry.function;
  if (typeof entry.class === 'string') return entry.class;
  // MMD-critic entries name the original code's file and its functions.
  if (typeof entry.library === 'string' && Array.isArray(entry.functions)) return entry.library;
  return undefined;
}
