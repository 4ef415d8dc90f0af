import { LumenError } from '../core/errors.js';
import type { MethodInfo } from '../core/method-info.js';
import { parseSuperpixelSpec } from '../data/superpixels/superpixel-spec.js';

/** The `--superpixels` and `--samples` flags of `lumen explain`. */
export interface CoalitionFlags {
  readonly superpixels?: string;
  readonly samples?: string;
}

/**
 * `--superpixels slic[:n]|felzenszwalb[:scale]` and `--samples N` as method options, checked: the
 * method must take the option (the registry says which do), the spec must parse and N must be a
 * positive integer.
 */
export function coalitionFlagOptions(method: MethodInfo, flags: CoalitionFlags): Record<string, unknown> {
  const takers = (name: string): MethodInfo['id'] => `${method.id} has no '${name}' option`;
  const out: Record<string, unknown> = {};
  if (flags.superpixels !== undefined) {
    if (!method.options.some((o) => o.name === 'superpixels')) throw new LumenError('option', `--superpixels: ${takers('superpixels')}; use a surrogate method such as kernel-shap or lime`);
    parseSuperpixelSpec(flags.superpixels);
    out.superpixels = flags.superpixels;
  }
  if (flags.samples !== undefined) {
    if (!method.options.some((o) => o.name === 'samples')) throw new LumenError('option', `--samples: ${takers('samples')}`);
    const n = Number(flags.samples);
    if (!Number.isInteger(n) || n < 1) throw new LumenError('option', `--samples: expected a positive integer; found '${flags.samples}'`);
    out.samples = n;
  }
  return out;
}
