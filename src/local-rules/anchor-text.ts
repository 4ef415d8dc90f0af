import type * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { RulesExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { anchorBeam } from './anchor-beam.js';
import { anchorExplanation } from './anchor-explanation.js';
import { resolveAnchorOptions, type AnchorOptions } from './anchor-options.js';
import { predictedLabels } from './predicted-labels.js';
import { sharedAnchorSearches } from './shared-classifier.js';
import { textAnchorSampler } from './text-anchor-sampler.js';

/** Options of `anchorText`: the search's, plus the token ids that perturb and pad. */
export interface AnchorTextOptions extends AnchorOptions {
  /** The id a replaced token becomes (the vocabulary's UNK). */
  readonly unkToken: number;
  /** Positions holding this id are padding, never features (default: none). */
  readonly padToken?: number;
  /** Probability that a token outside the anchor is replaced in a sample (default 0.5, alibi's `sample_proba`). */
  readonly replaceProbability?: number;
  /** Words by id, for the rule's conditions (default: the ids). */
  readonly vocabulary?: readonly string[];
}

/**
 * Anchors for text (Ribeiro et al., Anchors: High-Precision Model-Agnostic Explanations, 2018):
 * for each token sequence of `tokens` `[N, T]` (ids), the tokens that, kept while the others are
 * replaced by UNK at random, hold the model's prediction with precision ≥ `threshold`. Forward
 * passes only; the model takes int32 ids. One rule per sequence (`token@position == word`).
 */
export async function anchorText(model: Model, tokens: tf.Tensor, options: AnchorTextOptions): Promise<RulesExplanation> {
  const fn = 'anchorText';
  const o = resolveAnchorOptions(options, fn);
  check(tokens.rank === 2, 'shape', () => `${fn}: expected token ids [N, T]; found shape [${tokens.shape}]`);
  const [n, T] = tokens.shape;
  check(model.inputShape.length === 1 && model.inputShape[0] === T, 'shape', () => `${fn}: the model takes [${model.inputShape}]; the sequences are [${T}]`);
  const { unkToken, padToken } = options;
  check(Number.isInteger(unkToken), 'option', () => `${fn}: unkToken must be an integer token id; found ${String(unkToken)}`);
  check(padToken === undefined || Number.isInteger(padToken), 'option', () => `${fn}: padToken must be an integer token id; found ${String(padToken)}`);
  const replace = options.replaceProbability ?? 0.5;
  check(typeof replace === 'number' && replace > 0 && replace < 1, 'option', () => `${fn}: replaceProbability must be in (0, 1); found ${replace}`);
  const ids = Float32Array.from(await tokens.data());
  check(ids.every((v) => Number.isInteger(v)), 'input', () => `${fn}: tokens must be integer ids`);
  const { labels, calls } = await predictedLabels(model, ids, n, 'int32', o.batchSize);
  const positionsOf: number[][] = [];
  const samplers = Array.from({ length: n }, (_, i) => {
    const seq = ids.subarray(i * T, (i + 1) * T);
    const positions = Array.from({ length: T }, (_, t) => t).filter((t) => seq[t] !== unkToken && seq[t] !== padToken);
    positionsOf.push(positions);
    return textAnchorSampler(seq, positions, unkToken, replace);
  });
  const { results: found, calls: searchCalls } = await sharedAnchorSearches(n, model, { dtype: 'int32', batchSize: o.batchSize, inputSize: T, samplesPerPull: o.samplesPerPull },
    (i, classify) => anchorBeam(samplers[i], classify, labels[i], { ...o, seed: o.seed + i }, fn));
  const word = (id: number): number | string => options.vocabulary?.[id] ?? id;
  return anchorExplanation('anchors-text', found, (i, f) => {
    const t = positionsOf[i][f];
    return [{ feature: `token@${t}`, op: '==', value: word(ids[i * T + t]) }];
  }, Array.from(labels), o, { labels: Array.from(labels), instanceCalls: calls, modelCalls: calls + searchCalls, positions: positionsOf, replaceProbability: replace });
}
