/**
 * What the retraining metrics (ROAR, KAR, data randomisation) share: a training set, the model
 * architecture to retrain, and how to train it.
 */
import type * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { MethodOptions } from '../core/method-info.js';
import type { MetricOptions } from './result.js';
import { explainerOf, splitRows } from './shared.js';
import type { Explainer } from './result.js';
import type { Model } from '../core/model.js';

/** A labelled training set. */
export interface TrainingSet {
  /** Inputs `[N, ...inputShape]`. */
  readonly x: tf.Tensor;
  /** One class index per example. */
  readonly labels: ArrayLike<number>;
}

/** Options every retraining metric takes. */
export interface RetrainingOptions extends MetricOptions {
  /** The architecture to retrain: fresh copies of it (`freshCopy`) are trained from scratch. */
  readonly layersModel: tf.LayersModel;
  /** The training set. */
  readonly train: TrainingSet;
  /** Epochs of each retraining (default 3). */
  readonly epochs?: number;
  /** Examples per optimisation step (default 64). */
  readonly trainBatchSize?: number;
  /** Adam's learning rate (default 0.002). */
  readonly learningRate?: number;
}

/** Checks the retraining options of metric `fn`. */
export function checkRetraining(options: RetrainingOptions, inputShape: readonly number[], fn: string): void {
  check(options.layersModel !== undefined && typeof options.layersModel === 'object' && 'layers' in options.layersModel, 'option', () =>
    `${fn}: needs options.layersModel, the tf.LayersModel whose architecture is retrained`);
  const t = options.train;
  check(t !== undefined && t.x !== undefined && t.labels !== undefined, 'option', () => `${fn}: needs options.train = { x, labels }, the training set`);
  check(t.x.shape.slice(1).join() === inputShape.join(), 'shape', () => `${fn}: train.x must be [N, ${inputShape}]; found [${t.x.shape}]`);
  check(t.labels.length === t.x.shape[0], 'shape', () => `${fn}: train.labels must have one label per training example (${t.x.shape[0]}); found ${t.labels.length}`);
}

/** Runs `method` on `x` in chunks of `chunk` rows, explaining `targets`, and returns each row flattened. */
export async function explainChunked(model: Model, x: tf.Tensor, method: Explainer, targets: readonly number[], options: MethodOptions, chunk: number): Promise<{ rows: Float32Array[]; calls: number }> {
  const run = explainerOf(method);
  const rows: Float32Array[] = [];
  let calls = 0;
  const n = x.shape[0];
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    const xb = x.slice(start, end - start);
    try {
      const a = await run(model, xb, { ...options, target: targets.slice(start, end) });
      calls++;
      try {
        rows.push(...splitRows(await a.values.data(), end - start));
      } finally {
        a.dispose();
      }
    } finally {
      xb.dispose();
    }
  }
  return { rows, calls };
}
