/** Parity builders of the propagation family: Captum and Zennit entries → Lumen registry calls. */
import type { CaseBuilder } from '../case.js';
import { targetOf } from './gradient.js';

/** Captum's propagation classes (and the arguments Lumen understands) → Lumen methods. */
export const PROPAGATION_BUILDERS: Readonly<Record<string, CaseBuilder>> = {
  'captum.attr.GuidedBackprop': (_e, kw) => ({ method: 'guided-backprop', options: { target: targetOf(kw) } }),
  'captum.attr.Deconvolution': (_e, kw) => ({ method: 'deconvolution', options: { target: targetOf(kw) } }),
};
