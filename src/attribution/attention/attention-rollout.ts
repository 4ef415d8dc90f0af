import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { batchSizeOf, checkAborted, forEachBatch } from '../../core/batching.js';
import { check } from '../../core/errors.js';
import type { Model } from '../../core/model.js';
import type { LocalOptions } from '../../core/options.js';
import { checkDifferentiable, checkInput } from '../../core/validate.js';
import { attentionLayers, checkPooling, type AttentionLayersOption, type TokenPooling } from './attention-layers.js';
import { fuseHeads, pooledTokenRelevance, type HeadFusion } from './attention-relevance.js';

/** Options of `attentionRollout`. */
export interface AttentionRolloutOptions extends Omit<LocalOptions, 'target'>, AttentionLayersOption {
  /** How heads are fused: 'mean' (default, the paper's), 'max' or 'min'. */
  readonly headFusion?: HeadFusion;
  /** Add the identity for the residual connection and renormalise rows (default true): Â = (Ā + I)/rowsum. */
  readonly residual?: boolean;
  /** Share 0…1 of each fused map's smallest entries set to 0 before the residual (default 0, as the paper). */
  readonly discardRatio?: number;
  /** The row read as the tokens' relevance: 'first' (default, [CLS]-style pooling), 'mean' or a token index. */
  readonly pool?: TokenPooling;
}

/**
 * The rollout matrices [N, T, T] of Abnar & Zuidema, "Quantifying Attention Flow in Transformers"
 * (ACL 2020): per block, the heads' attention Ā fused (mean by default), with the residual
 * connection Â = (Ā + I) / rowsum, multiplied through the blocks, first block rightmost:
 * rollout = Â_L ⋯ Â_1. Row q of the result is how much each input token reaches position q.
 */
export async function attentionRolloutMatrices(model: Model, input: tf.Tensor, options: AttentionRolloutOptions = {}): Promise<{ rollout: tf.Tensor; layers: readonly string[]; modelCalls: number }> {
  const fn = 'attentionRollout';
  checkDifferentiable(model, fn);
  checkInput(model, input, fn);
  const { layers, tokens } = attentionLayers(model, options.layers, fn);
  const fusion = options.headFusion ?? 'mean';
  check(['mean', 'max', 'min'].includes(fusion), 'option', () => `${fn}: headFusion must be 'mean', 'max' or 'min'; found ${JSON.stringify(fusion)}`);
  const discard = options.discardRatio ?? 0;
  check(typeof discard === 'number' && discard >= 0 && discard < 1, 'option', () => `${fn}: discardRatio must be in [0, 1); found ${JSON.stringify(discard)}`);
  const residual = options.residual ?? true;
  const batchSize = batchSizeOf(model, options, fn);
  checkAborted(options, fn);
  const parts: tf.Tensor[] = [];
  try {
    const modelCalls = await forEachBatch(input.shape[0], batchSize, options, fn, (start, end) => {
      parts.push(tf.tidy(() => {
        const { captured } = model.run(input.slice(start, end - start), { capture: [...layers] });
        const eye = tf.eye(tokens).expandDims(0);
        let rollout: tf.Tensor | null = null;
        for (const name of layers) {
          let fused = fuseHeads(captured[name], fusion);
          if (discard > 0) fused = discardSmallest(fused, discard);
          const step = residual ? normaliseRows(tf.add(fused, eye)) : fused;
          rollout = rollout === null ? step : tf.matMul(step, rollout);
        }
        return rollout as tf.Tensor;
      }));
    });
    const rollout = parts.length === 1 ? parts[0] : tf.concat(parts);
    if (parts.length > 1) tf.dispose(parts);
    return { rollout, layers, modelCalls };
  } catch (e) {
    tf.dispose(parts);
    throw e;
  }
}

/**
 * Attention rollout (Abnar & Zuidema 2020): each token's relevance for the pooled output, the
 * pooled row of the rollout matrices (`attentionRolloutMatrices`). Values [N, T]; no target: the
 * attention is the same whatever class is explained.
 */
export async function attentionRollout(model: Model, input: tf.Tensor, options: AttentionRolloutOptions = {}): Promise<Attribution> {
  const { rollout, layers, modelCalls } = await attentionRolloutMatrices(model, input, options);
  const pool = checkPooling(options.pool ?? 'first', rollout.shape[1] as number, 'attentionRollout');
  const values = pooledTokenRelevance(rollout, pool);
  rollout.dispose();
  return makeAttribution('attention-rollout', values, null, { layers, modelCalls });
}

/** Rows scaled to sum to 1. */
function normaliseRows(m: tf.Tensor): tf.Tensor {
  return tf.div(m, tf.sum(m, -1, true));
}

/**
 * Sets the smallest `ratio` of each fused [T, T] map's entries to 0, except entry [0, 0] (the
 * first token attending to itself), as the rollout reference code (jacobgil/vit-explain) does.
 */
function discardSmallest(maps: tf.Tensor, ratio: number): tf.Tensor {
  const [n, t] = maps.shape as [number, number, number];
  const drop = Math.floor(t * t * ratio);
  if (drop === 0) return maps;
  const flat = maps.reshape([n, t * t]);
  const smallest = tf.topk(tf.neg(flat), drop).indices;
  const dropped = tf.greater(tf.sum(tf.oneHot(smallest, t * t), 1), 0);
  const spared = tf.logicalAnd(dropped, tf.oneHot(tf.zeros([n], 'int32'), t * t).equal(0));
  return tf.where(spared, tf.zerosLike(flat), flat).reshape([n, t, t]);
}
