import { LumenError } from '../core/errors.js';
import type { MethodInfo } from '../core/method-info.js';
import { parseSuperpixelSpec } from '../data/superpixels/superpixel-spec.js';

/** The `--superpixels` flag of `lumen explain` (`--samples` is parsed with the other method flags). */
export interface CoalitionFlags {
  readonly superpixels?: string;
}

/**
 * `--superpixels slic[:n]|felzenszwalb[:scale]` as a method option, checked: the method must take
 * the option (the registry says which do) and the spec must parse.
 */
export function coalitionFlagOptions(method: MethodInfo, flags: CoalitionFlags): Record<string, unknown> {
  const takers = (name: string): MethodInfo['id'] => `${method.id} has no '${name}' option`;
  const out: Record<string, unknown> = {};
  if (flags.superpixels !== undefined) {
    if (!method.options.some((o) => o.name === 'superpixels')) throw new LumenError('option', `--superpixels: ${takers('superpixels')}; use a surrogate method such as kernel-shap or lime`);
    parseSuperpixelSpec(flags.superpixels);
    out.superpixels = flags.superpixels;
  }
  return out;
}
