/** Registry entries of LRP (read by src/methods.ts). */
import type { LocalMethodInfo } from '../../../core/method-info.js';
import { propagationEntry } from '../registry.js';
import { COMPOSITES } from './composites.js';
import { lrp, type LrpOptions } from './lrp.js';
import { LRP_RULE_NAMES } from './lrp-composite.js';

/** LRP's registry entries. */
export const LRP_METHODS: readonly LocalMethodInfo[] = [
  propagationEntry({
    id: 'lrp',
    title: 'Layer-wise relevance propagation',
    layer: 'none',
    // meta.delta is Σ R − f_c(x) (LRP has no baseline), not the Σ − (f(x) − f(x′)) this flag promises.
    completeness: false,
    paper: 'Bach et al., On Pixel-Wise Explanations for Non-Linear Classifier Decisions by Layer-Wise Relevance Propagation, 2015',
    summary: "the target output redistributed layer by layer by LRP rules (ε, γ, αβ, z⁺, zᴮ, flat, w²) chosen by a Zennit composite; Captum's rules by default",
    options: [
      { name: 'composite', type: 'enum', values: Object.keys(COMPOSITES), default: 'captum', doc: "rules per layer kind (zennit's composites; 'captum' = Captum's LRP: ε 1e-9)" },
      { name: 'rule', type: 'enum', values: LRP_RULE_NAMES, doc: 'one rule on every dense/conv layer instead of a composite' },
      { name: 'epsilon', type: 'number', doc: 'ε of the ε-rule (default 1e-6; 1e-9 under captum)' },
      { name: 'gamma', type: 'number', default: 0.25, doc: 'γ of the γ-rule' },
      { name: 'alpha', type: 'number', default: 2, doc: 'α of the αβ-rule' },
      { name: 'beta', type: 'number', default: 1, doc: 'β of the αβ-rule' },
      { name: 'low', type: 'number', doc: 'lowest input value (zᴮ rule; epsilon-gamma-box default −3)' },
      { name: 'high', type: 'number', doc: 'highest input value (zᴮ rule; epsilon-gamma-box default 3)' },
      { name: 'stabilizer', type: 'number', default: 1e-6, doc: 'denominator stabilizer of the other rules' },
      { name: 'canonize', type: 'boolean', default: false, doc: 'fold batch norms into the preceding linear layer first' },
      { name: 'strict', type: 'boolean', default: false, doc: 'fail when relevance does not sum to the output' },
      { name: 'tolerance', type: 'number', default: 0.01, doc: 'completeness gap (relative) above which a warning is given' },
    ],
    run: (m, x, o) => lrp(m, x, o as LrpOptions),
  }),
];
