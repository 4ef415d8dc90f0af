import { LumenError } from '../../../core/errors.js';

/** How a method's completeness gap is judged. */
export interface CompletenessCheckOptions {
  /** The largest gap |Σ attribution − output| accepted silently, relative to max(1, |output|); default 1e-2. */
  readonly tolerance?: number;
  /** Throw a LumenError instead of warning when the gap exceeds the tolerance; default false. */
  readonly strict?: boolean;
}

/**
 * Judges per-example completeness gaps `delta[i]` against `outputs[i]`: returns the warnings for
 * gaps above the tolerance, or throws a LumenError ('numeric') for them when `strict`.
 */
export function completenessCheck(fn: string, delta: readonly number[], outputs: ArrayLike<number>, options: CompletenessCheckOptions, why: string): string[] {
  const tolerance = options.tolerance ?? 1e-2;
  const bad = delta.map((d, i) => ({ i, d, allowed: tolerance * Math.max(1, Math.abs(outputs[i])) })).filter(({ d, allowed }) => !(Math.abs(d) <= allowed));
  if (bad.length === 0) return [];
  const worst = bad.reduce((a, b) => (Math.abs(b.d) > Math.abs(a.d) ? b : a));
  const message = `${fn}: relevance does not sum to the output for ${bad.length} of ${delta.length} example${delta.length > 1 ? 's' : ''} (largest gap ${worst.d.toPrecision(3)} at example ${worst.i}, tolerance ${worst.allowed.toPrecision(3)}); ${why}`;
  if (options.strict) throw new LumenError('numeric', message);
  return [message];
}
