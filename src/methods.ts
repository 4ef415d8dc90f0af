import { GRADIENT_METHODS } from './attribution/gradient/registry.js';
import { CAM_METHODS } from './attribution/cam/registry.js';
import { LAYER_METHODS } from './attribution/layer/registry.js';
import { PROPAGATION_METHODS } from './attribution/propagation/registry.js';
import { PERTURBATION_METHODS } from './attribution/perturbation/registry.js';
import { SURROGATE_METHODS } from './attribution/surrogate/registry.js';
import { LRP_METHODS } from './attribution/propagation/lrp/registry.js';
import { LumenError } from './core/errors.js';
import type { MethodInfo } from './core/method-info.js';

export type { MethodInfo, MethodOptions, OptionSpec } from './core/method-info.js';

/**
 * Every method Lumen implements, in the order the README lists them: one registry file per family
 * (`src/attribution/<family>/registry.ts`), concatenated here.
 */
export const METHODS: readonly MethodInfo[] = [
  ...GRADIENT_METHODS,
  ...PROPAGATION_METHODS,
  ...LRP_METHODS,
  ...CAM_METHODS,
  ...LAYER_METHODS,
  ...PERTURBATION_METHODS,
  ...SURROGATE_METHODS,
];

/** The method registered under `id`; an unknown id is a LumenError listing the known ones. */
export function methodById(id: string): MethodInfo {
  const found = METHODS.find((m) => m.id === id);
  if (!found) throw new LumenError('method', `unknown method '${id}'; Lumen implements ${METHODS.map((m) => m.id).join(', ')}`);
  return found;
}
