import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { batchSizeOf, checkAborted, forEachBatch } from '../../core/batching.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import { checkDifferentiable, checkInput } from '../../core/validate.js';
import { attentionLayers, checkPooling, type AttentionLayersOption, type TokenPooling } from './attention-layers.js';
import { fuseHeads, type HeadFusion } from './attention-relevance.js';
import { FlowNetwork } from './max-flow.js';

/** Options of `attentionFlow`. */
export interface AttentionFlowOptions extends Omit<LocalOptions, 'target'>, AttentionLayersOption {
  /** How heads are fused: 'mean' (default, the paper's), 'max' or 'min'. */
  readonly headFusion?: HeadFusion;
  /** Add the identity for the residual connection and renormalise rows (default true): Â = (Ā + I)/rowsum. */
  readonly residual?: boolean;
  /** The output node(s): 'first' (default, [CLS]-style pooling), 'mean' (the mean of every position's flows) or a token index. */
  readonly pool?: TokenPooling;
  /** Scale each output node's flows to sum to 1, as the paper's code does (default true); false gives the raw max-flow values. */
  readonly normalize?: boolean;
}

/**
 * The attention-flow values of one example (Abnar & Zuidema 2020, §3): the attention graph has a
 * node per position and layer boundary (layer 0 = the input tokens, layer L = the last block's
 * outputs) and an edge from node k of layer l to node j of layer l − 1 with capacity Â_l[k, j] (the
 * residual-mixed attention of block l, as for rollout); the flow of input token j to output node q
 * is the value of a maximum flow from (L, q) to (0, j). `maps` are the L residual-mixed [T, T]
 * matrices (row-major, query × key) in forward order. Returns [queries.length × T], raw values.
 */
export function attentionFlowValues(maps: readonly ArrayLike<number>[], tokens: number, queries: readonly number[]): Float64Array {
  const layers = maps.length;
  check(layers > 0, 'input', () => 'attentionFlowValues: expected at least one attention map');
  maps.forEach((m, l) => check(m.length === tokens * tokens, 'shape', () => `attentionFlowValues: map ${l} has ${m.length} entries; expected ${tokens}×${tokens}`));
  const net = new FlowNetwork((layers + 1) * tokens);
  for (let l = 1; l <= layers; l++) {
    const m = maps[l - 1]!;
    for (let k = 0; k < tokens; k++) {
      for (let j = 0; j < tokens; j++) {
        const c = m[k * tokens + j]!;
        if (c > 0) net.addEdge(l * tokens + k, (l - 1) * tokens + j, c);
      }
    }
  }
  const out = new Float64Array(queries.length * tokens);
  queries.forEach((q, r) => {
    for (let j = 0; j < tokens; j++) out[r * tokens + j] = net.maxFlow(layers * tokens + q, j);
  });
  return out;
}

/**
 * Attention flow (Abnar & Zuidema, "Quantifying Attention Flow in Transformers", ACL 2020): each
 * input token's maximum flow to the pooled output node through the layered attention graph whose
 * capacities are the residual-mixed, head-fused attention of every block (`attentionFlowValues`),
 * normalised per output node to sum to 1 (as the paper's code; `normalize: false` keeps the raw
 * values, each ≥ the rollout entry — rollout is one feasible flow — and ≤ 1). One model call per
 * batch captures every block's attention; the flows run on the CPU (T max-flows per example and
 * output node). Values [N, T]; no target: attention does not depend on the class explained.
 */
export async function attentionFlow(model: Model, input: tf.Tensor, options: AttentionFlowOptions = {}): Promise<Attribution> {
  const fn = 'attentionFlow';
  checkDifferentiable(model, fn);
  checkInput(model, input, fn);
  const { layers, tokens } = attentionLayers(model, options.layers, fn);
  const fusion = options.headFusion ?? 'mean';
  check(['mean', 'max', 'min'].includes(fusion), 'option', () => `${fn}: headFusion must be 'mean', 'max' or 'min'; found ${JSON.stringify(fusion)}`);
  const residual = options.residual ?? true;
  const normalize = options.normalize ?? true;
  check(typeof residual === 'boolean' && typeof normalize === 'boolean', 'option', () => `${fn}: residual and normalize must be booleans`);
  const pool = checkPooling(options.pool ?? 'first', tokens, fn);
  const queries = pool === 'mean' ? Array.from({ length: tokens }, (_, q) => q) : [pool === 'first' ? 0 : pool];
  const batchSize = batchSizeOf(model, options, fn);
  checkAborted(options, fn);
  const n = input.shape[0];
  const values = new Float32Array(n * tokens);
  const modelCalls = await forEachBatch(n, batchSize, options, fn, async (start, end) => {
    const mixed = tf.tidy(() => {
      const { captured } = model.run(input.slice(start, end - start), { capture: [...layers] });
      const eye = tf.eye(tokens).expandDims(0);
      return layers.map((name) => {
        const fused = fuseHeads(captured[name], fusion);
        return residual ? tf.div(tf.add(fused, eye), tf.sum(tf.add(fused, eye), -1, true)) : fused;
      });
    });
    const data = await Promise.all(mixed.map((m) => m.data()));
    tf.dispose(mixed);
    for (let i = 0; i < end - start; i++) {
      const maps = data.map((d) => d.subarray(i * tokens * tokens, (i + 1) * tokens * tokens));
      const flows = attentionFlowValues(maps, tokens, queries);
      const row = new Float64Array(tokens);
      queries.forEach((_, r) => {
        let sum = 0;
        for (let j = 0; j < tokens; j++) sum += flows[r * tokens + j]!;
        for (let j = 0; j < tokens; j++) row[j] = row[j]! + (normalize && sum > 0 ? flows[r * tokens + j]! / sum : flows[r * tokens + j]!) / queries.length;
      });
      values.set(row, (start + i) * tokens);
    }
  });
  return makeAttribution('attention-flow', tf.tensor2d(values, [n, tokens]), null, { layers, modelCalls });
}
