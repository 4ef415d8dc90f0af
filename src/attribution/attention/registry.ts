/** Registry entries of the attention family (read by src/methods.ts). */
import type { LocalMethodInfo, MethodOptions, OptionSpec } from '../../core/method-info.js';
import { attentionFlow, type AttentionFlowOptions } from './attention-flow.js';
import { attentionRollout, type AttentionRolloutOptions } from './attention-rollout.js';
import { gradientAttention, type GradientAttentionOptions } from './gradient-attention.js';

const layersOption: OptionSpec = { name: 'layers', type: 'string', doc: "comma-separated attention-probability layers, in forward order (default: every Softmax layer with output [heads, T, T])" };
const poolOption: OptionSpec = { name: 'pool', type: 'string', default: 'first', doc: "the row read as token relevance: 'first' ([CLS] pooling), 'mean', or a token index" };

/** Registry options → the methods' options: `layers` as a list, a numeric `pool` as a number. */
function attentionOptions(o: MethodOptions): MethodOptions {
  const layers = typeof o.layers === 'string' ? o.layers.split(',').map((s) => s.trim()).filter(Boolean) : o.layers;
  const pool = typeof o.pool === 'string' && /^\d+$/.test(o.pool) ? Number(o.pool) : o.pool;
  return { ...o, ...(layers !== undefined ? { layers } : {}), ...(pool !== undefined ? { pool } : {}) };
}

/** The attention family: explanations read from a transformer's attention probabilities. */
export const ATTENTION_METHODS: readonly LocalMethodInfo[] = [
  {
    id: 'attention-rollout',
    title: 'Attention rollout',
    family: 'attention',
    scope: 'local',
    needsGradients: false,
    layer: 'none',
    completeness: false,
    inputKinds: ['text'],
    paper: 'Abnar & Zuidema, Quantifying Attention Flow in Transformers, ACL 2020',
    summary: 'head-averaged attention with the residual identity, multiplied through the blocks; the pooled row says how much each token reaches the output',
    options: [
      layersOption,
      { name: 'headFusion', type: 'enum', values: ['mean', 'max', 'min'], default: 'mean', doc: 'how the heads of a block are fused' },
      { name: 'residual', type: 'boolean', default: true, doc: 'add the identity for the residual connection and renormalise rows' },
      { name: 'discardRatio', type: 'number', default: 0, doc: "share of each fused map's smallest entries set to 0" },
      poolOption,
    ],
    run: (m, x, o = {}) => attentionRollout(m, x, attentionOptions(o) as AttentionRolloutOptions),
  },
  {
    id: 'attention-flow',
    title: 'Attention flow',
    family: 'attention',
    scope: 'local',
    needsGradients: false,
    layer: 'none',
    completeness: false,
    inputKinds: ['text'],
    paper: 'Abnar & Zuidema, Quantifying Attention Flow in Transformers, ACL 2020',
    summary: 'the attention graph as a flow network (capacities = residual-mixed attention): each input token’s maximum flow to the pooled output node, normalised to sum to 1',
    options: [
      layersOption,
      { name: 'headFusion', type: 'enum', values: ['mean', 'max', 'min'], default: 'mean', doc: 'how the heads of a block are fused' },
      { name: 'residual', type: 'boolean', default: true, doc: 'add the identity for the residual connection and renormalise rows' },
      { name: 'normalize', type: 'boolean', default: true, doc: "scale each output node's flows to sum to 1 (the paper's code); false keeps raw max-flow values" },
      poolOption,
    ],
    run: (m, x, o = {}) => attentionFlow(m, x, attentionOptions(o) as AttentionFlowOptions),
  },
  {
    id: 'gradient-attention',
    title: 'Gradient-weighted attention relevance',
    family: 'attention',
    scope: 'local',
    needsGradients: true,
    layer: 'none',
    completeness: false,
    inputKinds: ['text'],
    paper: 'Chefer, Gur & Wolf, Generic Attention-model Explainability for Interpreting Bi-Modal and Encoder-Decoder Transformers, ICCV 2021',
    summary: 'R ← R + mean_h(max(0, ∂f/∂A ⊙ A))·R through the blocks, from R = I; the pooled row is each token’s relevance for the target',
    options: [layersOption, poolOption],
    run: (m, x, o = {}) => gradientAttention(m, x, attentionOptions(o) as GradientAttentionOptions),
  },
];
