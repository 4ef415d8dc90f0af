import type * as tf from '@tensorflow/tfjs';
import type { Model } from '../core/model.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import { fromLayersModel } from '../models/from-layers-model.js';
import { classifierAccuracy, fitClassifier } from '../training/fit-classifier.js';
import { freshCopy } from '../training/fresh-copy.js';
import type { Explainer, MetricResult } from './result.js';
import { checkRetraining, type RetrainingOptions } from './retraining.js';
import { explainRows, geometryOf, metricResult, prepareMetric } from './shared.js';
import { explanationSimilarity, type SimilarityMeasure } from './similarity.js';

/** Options of `dataRandomisation`. */
export interface DataRandomisationOptions extends RetrainingOptions {
  /** Similarity of the two explanations (default 'spearman'; also 'ssim', 'hog', 'pearson'). */
  readonly similarity?: SimilarityMeasure;
  /** Compare absolute values (default true, as Adebayo et al.). */
  readonly abs?: boolean;
}

/**
 * Data randomisation test (Adebayo et al., "Sanity Checks for Saliency Maps", NeurIPS 2018): a
 * fresh copy of the architecture is trained on the training set with its labels permuted (seeded),
 * so it can only memorise; the method explains the inputs under the original model and under this
 * one (same target classes), and the score is the similarity of the two explanations. A method
 * that reflects what the model learnt from the data scores low (lower is better).
 * `details.shuffledTrainAccuracy` says how far the randomised model memorised its labels.
 */
export async function dataRandomisation(model: Model, input: tf.Tensor, method: Explainer, options: DataRandomisationOptions): Promise<MetricResult> {
  const ctx = await prepareMetric(model, input, options, 'dataRandomisation');
  checkRetraining(options, model.inputShape, ctx.fn);
  const seed = options.seed ?? DEFAULT_SEED;
  const labels = Array.from(options.train.labels);
  const perm = new Rng(seed).permutation(labels.length);
  const shuffled = Array.from(perm, (p) => labels[p]);
  const copy = await freshCopy(options.layersModel, seed);
  try {
    await fitClassifier(copy, options.train.x, shuffled, {
      epochs: options.epochs ?? 3, batchSize: options.trainBatchSize, learningRate: options.learningRate, seed, signal: options.signal,
    });
    const memorised = classifierAccuracy(copy, options.train.x, shuffled);
    const examples = Int32Array.from({ length: ctx.n }, (_, i) => i);
    const abs = options.abs ?? true;
    const prep = (v: Float32Array[]): Float32Array[] => (abs ? v.map((a) => a.map(Math.abs)) : v);
    const original = prep(await explainRows(ctx, method, input, examples));
    const randomised = prep(await explainRows({ ...ctx, model: fromLayersModel(copy) }, method, input, examples));
    ctx.calls++;
    const g = geometryOf(model, ctx.features);
    const scores = original.map((a, i) => explanationSimilarity(a, randomised[i], options.similarity ?? 'spearman', g));
    return metricResult(ctx, 'data-randomisation', 'lower', scores, { details: { shuffledTrainAccuracy: memorised } });
  } finally {
    copy.dispose();
  }
}
