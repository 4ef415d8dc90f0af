/** Parity builders of the propagation family: Captum and Zennit entries → Lumen registry calls. */
import type { CaseBuilder } from '../case.js';
import { baselineOf, targetOf } from './gradient.js';

/** Captum's propagation classes (and the arguments Lumen understands) → Lumen methods. */
export const PROPAGATION_BUILDERS: Readonly<Record<string, CaseBuilder>> = {
  'captum.attr.GuidedBackprop': (_e, kw) => ({ method: 'guided-backprop', options: { target: targetOf(kw) } }),
  'captum.attr.Deconvolution': (_e, kw) => ({ method: 'deconvolution', options: { target: targetOf(kw) } }),
  'captum.attr.DeepLift': (e, kw, fx) => {
    const ctor = (Object.hasOwn(e, 'constructor') ? e['constructor'] : {}) as Readonly<Record<string, unknown>>;
    if (kw.custom_attribution_func != null) return null;
    return {
      method: 'deeplift',
      options: {
        target: targetOf(kw),
        baseline: baselineOf(kw, fx),
        multiplyByInputs: ctor.multiply_by_inputs !== false,
        ...(typeof ctor.eps === 'number' ? { eps: ctor.eps } : {}),
        ...(e.layer ? { layer: e.layer } : {}),
      },
    };
  },
};
