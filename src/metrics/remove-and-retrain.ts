/** The engine of ROAR and KAR: rank pixels by attribution, remove or keep a fraction, retrain, test. */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { DEFAULT_SEED } from '../core/random.js';
import { freshCopy } from '../training/fresh-copy.js';
import { fitClassifier, predictedClasses } from '../training/fit-classifier.js';
import type { AttributionSource, Explainer, MetricResult } from './result.js';
import { checkRetraining, explainChunked, type RetrainingOptions } from './retraining.js';
import { argsort, attributionArrays, isAttribution, geometryOf, metricResult, pixelSums, prepareMetric, splitRows, type Geometry } from './shared.js';

/** Options of `roar` and `kar`. */
export interface RemoveAndRetrainOptions extends RetrainingOptions {
  /** The true class of each input (the test set); the default target of the attributions. */
  readonly labels: ArrayLike<number>;
  /** Fractions of pixels removed (ROAR) or kept (KAR), default [0.1, 0.3, 0.5, 0.7, 0.9] as Hooker et al. */
  readonly fractions?: readonly number[];
  /** The training set's attributions, `[N_train, ...inputShape]`, when attributions (not a method) are given. */
  readonly trainAttributions?: tf.Tensor;
  /** Rank pixels by |attribution| (default true) rather than by signed attribution. */
  readonly abs?: boolean;
  /** Models trained per fraction, accuracies averaged (default 1; the paper trains 5). */
  readonly repeats?: number;
  /** Rows per method call when the training set is explained (default 256). */
  readonly explainChunk?: number;
}

/** Per-channel mean of a set of flat NHWC examples. */
function channelMeans(rows: readonly Float32Array[], g: Geometry): Float64Array {
  const m = new Float64Array(g.c);
  for (const r of rows) for (let q = 0; q < r.length; q++) m[q % g.c] += r[q];
  return m.map((v) => v / ((rows.length * rows[0].length) / g.c));
}

/** Copies of `rows` with the pixels `order[from … to)` of each set to the channel means. */
function replaced(rows: readonly Float32Array[], orders: readonly Int32Array[], from: (k: number) => number, to: (k: number) => number, k: number, means: Float64Array, g: Geometry): Float32Array {
  const F = rows[0].length;
  const out = new Float32Array(rows.length * F);
  rows.forEach((r, i) => {
    const o = out.subarray(i * F, (i + 1) * F);
    o.set(r);
    for (let j = from(k); j < to(k); j++) for (let c = 0; c < g.c; c++) o[orders[i][j] * g.c + c] = means[c];
  });
  return out;
}

/**
 * ROAR / KAR (Hooker, Erhan, Kindermans & Kim, "A Benchmark for Interpretability Methods in Deep
 * Neural Networks", NeurIPS 2019): for each fraction t, the top t of every image's pixels by
 * attribution are replaced by the training set's per-channel mean (`keep`: all pixels but the
 * top t), in the training and the test images; a fresh copy of the architecture is retrained on
 * the modified training set and its accuracy measured on the modified inputs. Retraining is what
 * separates "the features were important" from "the model never saw such images".
 */
export async function removeAndRetrain(model: Model, input: tf.Tensor, source: AttributionSource, options: RemoveAndRetrainOptions, keep: boolean): Promise<MetricResult> {
  const fn = keep ? 'kar' : 'roar';
  const labels = Array.from(options.labels ?? []);
  check(labels.length === input.shape[0], 'option', () => `${fn}: needs options.labels, one class per input (${input.shape[0]}); found ${labels.length}`);
  const ctx = await prepareMetric(model, input, { ...options, target: options.target ?? labels }, fn);
  checkRetraining(options, model.inputShape, fn);
  const fractions = options.fractions ?? [0.1, 0.3, 0.5, 0.7, 0.9];
  check(fractions.length > 0 && fractions.every((t) => t >= 0 && t <= 1), 'option', () => `${fn}: fractions must be numbers in [0, 1]; found [${fractions}]`);
  const repeats = options.repeats ?? 1;
  check(Number.isInteger(repeats) && repeats >= 1, 'option', () => `${fn}: repeats must be a positive integer; found ${repeats}`);
  const g = geometryOf(model, ctx.features);
  const P = g.h * g.w;
  const test = await attributionArrays(ctx, input, source);
  let trainA: Float32Array[];
  const trainLabels = Array.from(options.train.labels);
  if (options.trainAttributions) {
    check(options.trainAttributions.size === options.train.x.size, 'shape', () => `${fn}: trainAttributions must have train.x's shape [${options.train.x.shape}]; found [${options.trainAttributions?.shape}]`);
    trainA = splitRows(await options.trainAttributions.data(), trainLabels.length);
  } else {
    check(!(source instanceof tf.Tensor) && !isAttribution(source), 'option', () =>
      `${fn}: attributions were given for the inputs, so options.trainAttributions must give the training set's`);
    const explained = await explainChunked(model, options.train.x, source as Explainer, trainLabels,
      { ...options.explainOptions, seed: options.explainOptions?.seed ?? options.seed }, options.explainChunk ?? 256);
    ctx.calls += explained.calls;
    trainA = explained.rows;
  }
  const abs = options.abs ?? true;
  const order = (a: Float32Array): Int32Array => {
    const px = pixelSums(a, g);
    return argsort(abs ? px.map(Math.abs) : px, true);
  };
  const [testOrders, trainOrders] = [test.map(order), trainA.map(order)];
  const trainRows = splitRows(await options.train.x.data(), trainLabels.length);
  const means = channelMeans(trainRows, g);
  const [from, to] = keep ? [(k: number) => k, () => P] : [() => 0, (k: number) => k];
  const seed = options.seed ?? DEFAULT_SEED;
  const accuracy: number[] = [];
  const correct = test.map(() => [] as number[]);
  for (let f = 0; f < fractions.length; f++) {
    const k = Math.round(fractions[f] * P);
    const xTrain = tf.tensor(replaced(trainRows, trainOrders, from, to, k, means, g), options.train.x.shape);
    const xTest = tf.tensor(replaced(ctx.x, testOrders, from, to, k, means, g), input.shape);
    const hits = new Float64Array(ctx.n);
    try {
      for (let r = 0; r < repeats; r++) {
        const copy = await freshCopy(options.layersModel, seed + 1009 * f + 7919 * r);
        try {
          await fitClassifier(copy, xTrain, trainLabels, {
            epochs: options.epochs ?? 3, batchSize: options.trainBatchSize, learningRate: options.learningRate, seed: seed + r, signal: options.signal,
          });
          const predicted = predictedClasses(copy, xTest, ctx.batchSize);
          ctx.calls += Math.ceil(ctx.n / ctx.batchSize);
          predicted.forEach((p, i) => (hits[i] += p === labels[i] ? 1 / repeats : 0));
        } finally {
          copy.dispose();
        }
      }
    } finally {
      tf.dispose([xTrain, xTest]);
    }
    hits.forEach((h, i) => correct[i].push(h));
    accuracy.push(hits.reduce((s, h) => s + h, 0) / ctx.n);
    options.onProgress?.({ done: f + 1, total: fractions.length });
  }
  const scores = correct.map((c) => c.reduce((s, v) => s + v, 0) / c.length);
  return metricResult(ctx, fn, keep ? 'higher' : 'lower', scores, { curves: correct, details: { fractions: [...fractions], accuracy, trainings: fractions.length * repeats } });
}
