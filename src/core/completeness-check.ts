import { LumenError } from './errors.js';

/** How a method that claims completeness reacts to a summation gap. */
export interface CompletenessCheckOptions {
  /**
   * Largest gap |Σ attribution − Δf| allowed per example, relative to max(1, |f(x)|, |f(x′)|);
   * default 1e-3 (float32 rounding stays orders of magnitude below it).
   */
  readonly tolerance?: number;
  /** Throw a LumenError (code 'numeric') instead of adding a warning when a gap exceeds the tolerance. */
  readonly strict?: boolean;
}

/** The default relative completeness tolerance. */
export const DEFAULT_COMPLETENESS_TOLERANCE = 1e-3;

/**
 * Checks per-example completeness gaps `delta[i]` (Σ attribution − (f(x) − f(x′))) against the
 * tolerance, scaled by max(1, |f(x)|, |f(x′)|) from `outputs[i]` = [f(x), f(x′)]: returns one
 * warning per example over it, or throws a LumenError in strict mode.
 */
export function checkCompleteness(delta: readonly number[], outputs: readonly (readonly [number, number])[], options: CompletenessCheckOptions, fn: string): string[] {
  const tolerance = options.tolerance ?? DEFAULT_COMPLETENESS_TOLERANCE;
  if (!(tolerance >= 0)) throw new LumenError('option', `${fn}: tolerance must be a number ≥ 0; found ${tolerance}`);
  const warnings: string[] = [];
  delta.forEach((gap, i) => {
    const [fx, fb] = outputs[i];
    const scale = Math.max(1, Math.abs(fx), Math.abs(fb));
    if (Number.isFinite(gap) && Math.abs(gap) <= tolerance * scale) return;
    warnings.push(
      `${fn}: example ${i}: attributions sum to ${fmt(fx - fb + gap)} but f(x) − f(baseline) = ${fmt(fx - fb)} (gap ${fmt(gap)}, tolerance ${fmt(tolerance * scale)}); a layer's rule does not conserve the difference (e.g. a softmax inside the model, or a rule that is not exact for the model)`,
    );
  });
  if (options.strict && warnings.length) throw new LumenError('numeric', `${warnings[0]}${warnings.length > 1 ? ` (and ${warnings.length - 1} more example${warnings.length > 2 ? 's' : ''})` : ''}`);
  return warnings;
}

/**
 * The conservation check of relevance methods (LRP: Bach et al., 2015), which have no baseline:
 * gaps `delta[i]` = Σ relevance − f(x) against `outputs[i]` = f(x), relative to max(1, |f(x)|)
 * with a default tolerance of 1e-2 (rules with biases or redistribution need not conserve exactly).
 * Returns one summary warning, or throws a LumenError ('numeric') in strict mode; `why` says why
 * the method may not conserve.
 */
export function checkConservation(fn: string, delta: readonly number[], outputs: ArrayLike<number>, options: CompletenessCheckOptions, why: string): string[] {
  const tolerance = options.tolerance ?? 1e-2;
  if (!(tolerance >= 0)) throw new LumenError('option', `${fn}: tolerance must be a number ≥ 0; found ${tolerance}`);
  const bad = delta.map((d, i) => ({ i, d, allowed: tolerance * Math.max(1, Math.abs(outputs[i])) })).filter(({ d, allowed }) => !(Math.abs(d) <= allowed));
  if (bad.length === 0) return [];
  const worst = bad.reduce((a, b) => (Math.abs(b.d) > Math.abs(a.d) ? b : a));
  const message = `${fn}: relevance does not sum to the output for ${bad.length} of ${delta.length} example${delta.length > 1 ? 's' : ''} (largest gap ${worst.d.toPrecision(3)} at example ${worst.i}, tolerance ${worst.allowed.toPrecision(3)}); ${why}`;
  if (options.strict) throw new LumenError('numeric', message);
  return [message];
}

function fmt(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : String(v);
}
