import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import type { AttributionPreprocessing, AttributionSource, MetricOptions, MetricResult } from './result.js';
import { attributionArrays, evaluateInputs, metricResult, prepareMetric, preprocess } from './shared.js';

/** Options of `sufficiency`. */
export interface SufficiencyOptions extends MetricOptions, AttributionPreprocessing {
  /** Two explanations are similar when their distance, divided by the largest in the batch, is ≤ this (default 0.6). */
  readonly threshold?: number;
  /** 'seuclidean' (default: each feature scaled by its variance over the batch) or 'euclidean'. */
  readonly distance?: 'seuclidean' | 'euclidean';
}

/**
 * Sufficiency (Dasgupta, Frost & Moshkovitz, "Framework for Evaluating Faithfulness of Local
 * Explanations", ICML 2022): among the other examples of the batch whose explanations are close to
 * this one's, the fraction the model predicts the same class for (0 when none is close; higher is
 * better). A batch-level metric: scores depend on the batch.
 */
export async function sufficiency(model: Model, input: tf.Tensor, attributions: AttributionSource, options: SufficiencyOptions = {}): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'sufficiency');
  const a = preprocess(await attributionArrays(ctx, input, attributions), options, { normalise: 'example', abs: true });
  const { predicted } = await evaluateInputs(ctx, 'logits');
  const n = ctx.n;
  const F = ctx.features;
  const scale = new Float64Array(F).fill(1);
  if ((options.distance ?? 'seuclidean') === 'seuclidean') {
    for (let f = 0; f < F; f++) {
      let m = 0;
      for (const v of a) m += v[f] / n;
      let s = 0;
      for (const v of a) s += (v[f] - m) ** 2;
      scale[f] = s > 0 ? 1 / s : 0;
    }
  }
  const d = a.map((u) => a.map((v) => Math.sqrt(u.reduce((s, t, f) => s + (t - v[f]) ** 2 * scale[f], 0))));
  const max = Math.max(...d.flat());
  const threshold = options.threshold ?? 0.6;
  const scores = d.map((row, i) => {
    let close = 0;
    let same = 0;
    row.forEach((dist, j) => {
      if (i !== j && (max > 0 ? dist / max : 0) <= threshold) {
        close++;
        if (predicted[i] === predicted[j]) same++;
      }
    });
    return close ? same / close : 0;
  });
  return metricResult(ctx, 'sufficiency', 'higher', scores, { details: { distances: d.map((r) => r.map((v) => (max > 0 ? v / max : 0))) } });
}
