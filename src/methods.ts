import { gradientMethods } from './attribution/gradient/registry.js';
import { CAM_METHODS } from './attribution/cam/registry.js';
import { LAYER_METHODS } from './attribution/layer/registry.js';
import { PROPAGATION_METHODS } from './attribution/propagation/registry.js';
import { PERTURBATION_METHODS } from './attribution/perturbation/registry.js';
import { SURROGATE_METHODS } from './attribution/surrogate/registry.js';
import { LRP_METHODS } from './attribution/propagation/lrp/registry.js';
import { ATTN_LRP_METHODS } from './attribution/propagation/attn-lrp/registry.js';
import { ATTENTION_METHODS } from './attribution/attention/registry.js';
import { ADVERSARIAL_METHODS } from './adversarial/registry.js';
import { GLOBAL_CURVE_METHODS } from './global/registry.js';
import { RULES_METHODS } from './rules/registry.js';
import { ANCHOR_METHODS } from './local-rules/registry.js';
import { COUNTERFACTUAL_METHODS } from './counterfactual/registry.js';
import { EXAMPLE_METHODS } from './examples/registry.js';
import { CONCEPT_METHODS } from './concepts/registry.js';
import { TCAV_METHODS } from './concepts/tcav-registry.js';
import { attributionDifferenceMethod, FAIRNESS_METHODS } from './fairness/registry.js';
import { FEATUREVIZ_METHODS } from './featureviz/registry.js';
import { DISSECTION_METHODS } from './dissection/registry.js';
import { DISCOVERY_METHODS } from './discovery/registry.js';
import { LumenError } from './core/errors.js';
import type { LocalMethodInfo, MethodInfo } from './core/method-info.js';

export type { GlobalMethodInfo, LocalMethodInfo, MethodFamily, MethodInfo, MethodLookup, MethodOptions, OptionSpec } from './core/method-info.js';

/**
 * Every method Lumen implements, local and global, in the order the README lists them: one
 * registry file per family (`src/attribution/<family>/registry.ts`; global families' lists are
 * appended after the local ones), concatenated here.
 */
export const METHODS: readonly MethodInfo[] = [
  ...gradientMethods((id) => methodById(id)),
  ...PROPAGATION_METHODS,
  ...LRP_METHODS,
  ...ATTN_LRP_METHODS,
  ...CAM_METHODS,
  ...LAYER_METHODS,
  ...PERTURBATION_METHODS,
  ...SURROGATE_METHODS,
  ...ATTENTION_METHODS,
  ...ADVERSARIAL_METHODS,
  ...GLOBAL_CURVE_METHODS,
  ...RULES_METHODS,
  ...ANCHOR_METHODS,
  ...COUNTERFACTUAL_METHODS,
  ...EXAMPLE_METHODS,
  ...CONCEPT_METHODS,
  ...TCAV_METHODS,
  ...FAIRNESS_METHODS,
  attributionDifferenceMethod((id) => methodById(id)),
  ...FEATUREVIZ_METHODS,
  ...DISSECTION_METHODS,
  ...DISCOVERY_METHODS,
];

/** The method registered under `id` in `methods` (default: METHODS); an unknown id is a LumenError listing the known ones. */
export function methodById(id: string, methods: readonly MethodInfo[] = METHODS): MethodInfo {
  const found = methods.find((m) => m.id === id);
  if (!found) throw new LumenError('method', `unknown method '${id}'; Lumen implements ${methods.map((m) => m.id).join(', ')}`);
  return found;
}

/**
 * The local method registered under `id`, for callers that explain an input batch (metrics, the
 * parity runner, `lumen explain`): a global method's id is a LumenError saying it takes a dataset.
 */
export function localMethodById(id: string, methods: readonly MethodInfo[] = METHODS): LocalMethodInfo {
  const found = methodById(id, methods);
  if (found.scope !== 'local') throw new LumenError('method', `'${id}' is a global method: it explains a model over a dataset (run(model, data)), not an input batch`);
  return found;
}
