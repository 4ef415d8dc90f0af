/** Registry entry of AttnLRP (read by src/methods.ts). */
import type { LocalMethodInfo } from '../../../core/method-info.js';
import { propagationEntry } from '../registry.js';
import { attnLrp, type AttnLrpOptions } from './attn-lrp.js';

/** AttnLRP and its CP-LRP variant. */
export const ATTN_LRP_METHODS: readonly LocalMethodInfo[] = [
  propagationEntry({
    id: 'attn-lrp',
    title: 'AttnLRP (attention-aware LRP)',
    layer: 'optional',
    completeness: false,
    inputKinds: ['text'],
    paper: 'Achtibat et al., AttnLRP: Attention-Aware Layer-Wise Relevance Propagation for Transformers, ICML 2024',
    summary: "LRP through transformers as gradient × input: LayerNorm σ and GELU gates constant (identity rules), the softmax rule, half the relevance to each factor of q·kᵀ and A·v; attention=constant is CP-LRP (Ali et al. 2022)",
    options: [
      { name: 'attention', type: 'enum', values: ['softmax-rule', 'constant'], default: 'softmax-rule', doc: "'softmax-rule' (AttnLRP) or 'constant' (CP-LRP: attention weights as constants)" },
    ],
    run: (m, x, o) => attnLrp(m, x, o as AttnLrpOptions),
  }),
];
