import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { batchSizeOf, checkAborted, forEachBatch } from '../../core/batching.js';
import { gradientSpace } from '../../core/gradients.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import { resolveTarget } from '../../core/target.js';
import { checkDifferentiable, checkInput } from '../../core/validate.js';
import { attentionLayers, checkPooling, type AttentionLayersOption, type TokenPooling } from './attention-layers.js';
import { pooledTokenRelevance } from './attention-relevance.js';

/** Options of `gradientAttention`. */
export interface GradientAttentionOptions extends LocalOptions, AttentionLayersOption {
  /** The row read as the tokens' relevance: 'first' (default, [CLS]-style pooling), 'mean' or a token index. */
  readonly pool?: TokenPooling;
}

/**
 * The relevance matrices [N, T, T] of Chefer, Gur & Wolf, "Generic Attention-model
 * Explainability for Interpreting Bi-Modal and Encoder-Decoder Transformers" (ICCV 2021), eq. 5–6:
 * R = I; for every block in forward order, Ā = mean_h(max(0, ∇A ⊙ A)) and R ← R + Ā·R, with A the
 * block's attention probabilities and ∇A = ∂ target / ∂ A (the total derivative: the block's
 * attention alone is replaced, so paths through later blocks count). One backward pass per block and
 * batch.
 */
export async function gradientAttentionMatrices(model: Model, input: tf.Tensor, options: GradientAttentionOptions = {}): Promise<{ relevance: tf.Tensor; layers: readonly string[]; target: readonly number[] | null; modelCalls: number }> {
  const fn = 'gradientAttention';
  checkDifferentiable(model, fn);
  checkInput(model, input, fn);
  const { layers, tokens } = attentionLayers(model, options.layers, fn);
  const target = await resolveTarget(model, input, options.target, fn);
  const batchSize = batchSizeOf(model, options, fn);
  checkAborted(options, fn);
  const parts: tf.Tensor[] = [];
  let calls = 0;
  try {
    await forEachBatch(input.shape[0], batchSize, options, fn, (start, end) => {
      parts.push(tf.tidy(() => {
        const x = input.slice(start, end - start);
        const examples = Int32Array.from({ length: end - start }, (_, i) => start + i);
        const { captured } = model.run(x, { capture: [...layers] });
        let relevance: tf.Tensor = tf.eye(tokens).expandDims(0).tile([end - start, 1, 1]);
        for (const name of layers) {
          const attention = captured[name];
          const { grad } = gradientSpace(model, name).gradient(x, attention, target, examples);
          calls++;
          const fused = tf.mean(tf.relu(tf.mul(grad, attention)), 1);
          relevance = tf.add(relevance, tf.matMul(fused, relevance));
        }
        return relevance;
      }));
    });
    const relevance = parts.length === 1 ? parts[0] : tf.concat(parts);
    if (parts.length > 1) tf.dispose(parts);
    return { relevance, layers, target: target.classes, modelCalls: calls };
  } catch (e) {
    tf.dispose(parts);
    throw e;
  }
}

/**
 * Gradient-weighted attention relevance (Chefer et al., ICCV 2021): each token's relevance for the
 * target, the pooled row of `gradientAttentionMatrices` (it includes the identity, so every token
 * keeps its own 1 at its own position). Values [N, T].
 */
export async function gradientAttention(model: Model, input: tf.Tensor, options: GradientAttentionOptions = {}): Promise<Attribution> {
  const { relevance, layers, target, modelCalls } = await gradientAttentionMatrices(model, input, options);
  const pool = checkPooling(options.pool ?? 'first', relevance.shape[1] as number, 'gradientAttention');
  const values = pooledTokenRelevance(relevance, pool);
  relevance.dispose();
  return makeAttribution('gradient-attention', values, target, { layers, modelCalls });
}
