import type * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../core/attribution.js';
import type { MethodOptions } from '../core/method-info.js';
import type { Model } from '../core/model.js';
import type { Target } from '../core/target.js';
import { deletion } from './deletion.js';
import { infidelity } from './infidelity.js';
import { maxSensitivity } from './max-sensitivity.js';
import type { Explainer, MetricResult } from './result.js';

/** Options of `reportCard`. */
export interface ReportCardOptions {
  /** Options the explanation was made with (passed again when max-sensitivity re-runs the method). */
  readonly explainOptions?: MethodOptions;
  readonly seed?: number;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/** Three scores of one explanation: faithfulness (deletion AUC, infidelity) and robustness (max-sensitivity). */
export interface ReportCard {
  readonly deletion: MetricResult;
  readonly infidelity: MetricResult;
  readonly maxSensitivity: MetricResult;
}

/**
 * A small report card for one explanation `attribution` of `input` made by `method`: deletion AUC
 * (Petsiuk et al., RISE, 2018; lower is better), infidelity (Yeh et al., NeurIPS 2019; lower is
 * better) of these very attributions, and max-sensitivity (Yeh et al., 2019; lower is better) of
 * the method re-run with the same options around the input. All three explain the attribution's
 * target classes.
 */
export async function reportCard(model: Model, input: tf.Tensor, attribution: Attribution, method: Explainer, options: ReportCardOptions = {}): Promise<ReportCard> {
  const target: Target | undefined = attribution.target ? [...attribution.target] : (options.explainOptions?.target as Target | undefined);
  const common = { target, seed: options.seed, signal: options.signal, ...(options.batchSize ? { batchSize: options.batchSize } : {}) };
  const { target: _t, onProgress: _p, ...explainOptions } = options.explainOptions ?? {};
  return {
    deletion: await deletion(model, input, attribution, common),
    infidelity: await infidelity(model, input, attribution, common),
    maxSensitivity: await maxSensitivity(model, input, method, { ...common, explainOptions }),
  };
}
