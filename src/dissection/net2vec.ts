/**
 * Net2Vec (Fong & Vedaldi 2018, "Net2Vec: Quantifying and Explaining how Concepts are Encoded by
 * Filters in Deep Neural Networks"): a concept's embedding is a weighting `w` of a layer's K
 * filters (plus a bias) learnt so that the weighted combination of their activations predicts the
 * concept — for segmentation, per pixel: `M(x) = σ(Σ_k w_k · up(A_k(x)) + b)` against the concept
 * mask (`up`: bilinear upsampling to the mask with half-pixel centres, as network dissection's; it is
 * linear, so it is applied after the weighting);
 * for classification, per image: `σ(Σ_k w_k · mean(A_k(x)) + b)` against "the concept is present".
 * The loss is the paper's balanced binary cross-entropy, `−α·y·log M − (1 − α)(1 − y)·log(1 − M)`
 * with `α = 1 − (share of positives over the training set)`. All concepts are fitted together (one
 * K × concepts matrix, independent columns), streamed over the dataset each epoch. The paper trains
 * with SGD (momentum 0.9); Lumen uses Adam (lr 0.01 by default), which reaches the same optimum of
 * this convex problem in fewer epochs. `net2vecScores` evaluates embeddings on held-out data: set
 * IoU at M ≥ 0.5 accumulated over the dataset (as network dissection's), or accuracy.
 */
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import type { Progress } from '../core/options.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import { yieldToEventLoop } from '../core/yield-to-event-loop.js';
import type { ConceptMaskBatch, ConceptMaskDataset } from './network-dissection.js';

/** Per-pixel concept masks or per-image presence. */
export type Net2VecTask = 'segmentation' | 'classification';

/** Options of `net2vec`. */
export interface Net2VecOptions {
  /** `'segmentation'` (default) or `'classification'`. */
  readonly task?: Net2VecTask;
  /** Passes over the dataset (default 30, the paper's). */
  readonly epochs?: number;
  /** Adam's learning rate (default 0.01). */
  readonly learningRate?: number;
  /** Images per step (default 64, the paper's). */
  readonly batchSize?: number;
  /** Seed of the initial weights (small normals). */
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

/** Learnt concept embeddings of one layer: `weights[concept][unit]`, `bias[concept]`. */
export interface Net2VecEmbeddings {
  readonly layer: string;
  readonly task: Net2VecTask;
  readonly concepts: readonly string[];
  readonly weights: readonly (readonly number[])[];
  readonly bias: readonly number[];
  /** α per concept: 1 − the share of positive pixels (segmentation) or images (classification). */
  readonly alpha: readonly number[];
  /** Mean training loss of the last epoch. */
  readonly loss: number;
}

/** Held-out scores of embeddings: set IoU (segmentation) or accuracy (classification) per concept. */
export interface Net2VecScores {
  readonly task: Net2VecTask;
  readonly concepts: readonly string[];
  readonly scores: readonly number[];
}

function layerUnits(model: Model, layer: string, fn: string): number {
  check(model.differentiable, 'not-differentiable', () => `${fn}: needs a model whose layers can be captured; '${model.name}' is a black box`);
  const info = model.layers.find((l) => l.name === layer);
  check(info !== undefined, 'layer', () => `${fn}: expected a layer of ${model.layers.map((l) => l.name).join(', ')}; found '${layer}'`);
  check(info.outputShape.length === 3, 'layer', () => `${fn}: '${layer}' must output maps [H, W, units]; found [${info.outputShape}]`);
  return info.outputShape[2] as number;
}

/** Logits `[n·h·w, C]` (segmentation, at the masks' size) or `[n, C]` (classification), and the matching targets. */
function logitsAndTargets(model: Model, layer: string, task: Net2VecTask, b: ConceptMaskBatch, w: tf.Tensor2D, bias: tf.Tensor1D): [tf.Tensor2D, tf.Tensor2D] {
  const act = tf.tidy(() => model.run(b.x, { capture: [layer] }).captured[layer] as tf.Tensor4D);
  const nc = b.masks.shape[3];
  const units = act.shape[3];
  const out = tf.tidy((): [tf.Tensor2D, tf.Tensor2D] => {
    if (task === 'classification') {
      const pooled = tf.mean(act, [1, 2]) as tf.Tensor2D;
      const present = tf.cast(tf.greater(tf.max(b.masks, [1, 2]), 0), 'float32') as tf.Tensor2D;
      return [tf.add(tf.matMul(pooled, w), bias), present];
    }
    const [n, h, wd] = act.shape;
    const combined = tf.matMul(act.reshape([n * h * wd, units]), w).reshape([n, h, wd, nc]) as tf.Tensor4D;
    // Half-pixel centres, as network dissection upsamples (PIL's bilinear resize, which the papers' code uses).
    const up = tf.image.resizeBilinear(combined, [b.masks.shape[1], b.masks.shape[2]], false, true);
    return [tf.add(up.reshape([-1, nc]), bias), b.masks.reshape([-1, nc])];
  });
  act.dispose();
  return out;
}

/** The balanced BCE of the file comment, summed over concepts, mean over rows. */
function balancedBce(logits: tf.Tensor2D, y: tf.Tensor2D, alpha: tf.Tensor1D): tf.Scalar {
  // log σ(z) = −softplus(−z), log(1 − σ(z)) = −softplus(z)
  return tf.tidy(() => {
    const pos = tf.mul(tf.mul(alpha, y), tf.softplus(tf.neg(logits)));
    const neg = tf.mul(tf.mul(tf.sub(1, alpha), tf.sub(1, y)), tf.softplus(logits));
    return tf.div(tf.sum(tf.add(pos, neg)), logits.shape[0]) as tf.Scalar;
  });
}

/** α per concept from one pass over `data`: 1 − share of positive pixels / images. */
async function alphas(data: ConceptMaskDataset, task: Net2VecTask, batchSize: number): Promise<number[]> {
  const nc = data.concepts.length;
  const pos = new Float64Array(nc);
  let total = 0;
  for await (const { x, masks } of data.batches(batchSize)) {
    const s = tf.tidy(() => (task === 'classification' ? tf.sum(tf.cast(tf.greater(tf.max(masks, [1, 2]), 0), 'float32'), 0) : tf.sum(masks, [0, 1, 2])));
    const v = await s.data();
    v.forEach((c, j) => (pos[j] += c));
    total += task === 'classification' ? masks.shape[0] : masks.shape[0] * masks.shape[1] * masks.shape[2];
    tf.dispose([s, x, masks]);
  }
  check(total > 0, 'input', () => 'net2vec: the dataset has no images');
  return Array.from(pos, (p) => 1 - p / total);
}

/** Learns a Net2Vec embedding of every concept of `data` in `layer`'s filters (see the file comment). */
export async function net2vec(model: Model, data: ConceptMaskDataset, layer: string, options: Net2VecOptions = {}): Promise<Net2VecEmbeddings> {
  const fn = 'net2vec';
  const units = layerUnits(model, layer, fn);
  const task = options.task ?? 'segmentation';
  const epochs = options.epochs ?? 30;
  const batchSize = options.batchSize ?? 64;
  check(task === 'segmentation' || task === 'classification', 'option', () => `${fn}: task must be 'segmentation' or 'classification'; found '${String(task)}'`);
  check(Number.isInteger(epochs) && epochs >= 1, 'option', () => `${fn}: epochs must be a positive integer; found ${epochs}`);
  check(Number.isInteger(batchSize) && batchSize >= 1, 'option', () => `${fn}: batchSize must be a positive integer; found ${batchSize}`);
  const nc = data.concepts.length;
  const alpha = await alphas(data, task, batchSize);
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  const [w0, b0] = [tf.tensor2d(rng.normals(units * nc, 0, 0.01), [units, nc]), tf.zeros([nc])];
  const w = tf.variable(w0, true) as tf.Variable<tf.Rank.R2>;
  const bias = tf.variable(b0, true) as tf.Variable<tf.Rank.R1>;
  tf.dispose([w0, b0]);
  const a = tf.tensor1d(alpha);
  const optimizer = tf.train.adam(options.learningRate ?? 0.01);
  let last = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      let sum = 0;
      let steps = 0;
      for await (const b of data.batches(batchSize)) {
        try {
          if (options.signal?.aborted) throw new LumenError('aborted', `${fn}: aborted in epoch ${epoch}`);
          const loss = optimizer.minimize(() => {
            const [z, y] = logitsAndTargets(model, layer, task, b, w, bias);
            return balancedBce(z, y, a);
          }, true, [w, bias]) as tf.Scalar;
          sum += (await loss.data())[0];
          steps++;
          loss.dispose();
        } finally {
          tf.dispose([b.x, b.masks]);
        }
      }
      last = sum / Math.max(1, steps);
      options.onProgress?.({ done: epoch, total: epochs });
      await yieldToEventLoop();
    }
    const wt = tf.transpose(w);
    const [wv, bv] = await Promise.all([wt.data(), bias.data()]);
    wt.dispose();
    const weights = Array.from({ length: nc }, (_, c) => Array.from(wv.subarray(c * units, (c + 1) * units)));
    return { layer, task, concepts: data.concepts, weights, bias: Array.from(bv), alpha, loss: last };
  } finally {
    tf.dispose([w, bias, a]);
    optimizer.dispose();
  }
}

/** Scores `embeddings` on `data` (held out): set IoU of M ≥ 0.5 with the masks, or accuracy of presence (file comment). */
export async function net2vecScores(model: Model, embeddings: Net2VecEmbeddings, data: ConceptMaskDataset, options: { readonly batchSize?: number } = {}): Promise<Net2VecScores> {
  const fn = 'net2vecScores';
  const units = layerUnits(model, embeddings.layer, fn);
  const nc = embeddings.concepts.length;
  check(embeddings.weights.every((row) => row.length === units), 'shape', () => `${fn}: embeddings weigh ${embeddings.weights[0]?.length} units; '${embeddings.layer}' has ${units}`);
  check(data.concepts.length === nc && data.concepts.every((c, i) => c === embeddings.concepts[i]), 'input', () => `${fn}: the data's concepts [${data.concepts}] must be the embeddings' [${embeddings.concepts}]`);
  const w = tf.tidy(() => tf.transpose(tf.tensor2d(embeddings.weights.map((r) => [...r]))) as tf.Tensor2D);
  const bias = tf.tensor1d([...embeddings.bias]);
  const inter = new Float64Array(nc);
  const union = new Float64Array(nc);
  const correct = new Float64Array(nc);
  let rows = 0;
  try {
    for await (const b of data.batches(options.batchSize ?? 64)) {
      const [i, u, c] = tf.tidy(() => {
        const [z, y] = logitsAndTargets(model, embeddings.layer, embeddings.task, b, w, bias);
        const on = tf.cast(tf.greaterEqual(z, 0), 'float32');
        return [tf.sum(tf.mul(on, y), 0), tf.sum(tf.maximum(on, y), 0), tf.sum(tf.cast(tf.equal(on, y), 'float32'), 0)];
      });
      const [iv, uv, cv] = await Promise.all([i.data(), u.data(), c.data()]);
      for (let j = 0; j < nc; j++) { inter[j] += iv[j]; union[j] += uv[j]; correct[j] += cv[j]; }
      rows += b.masks.shape[0];
      tf.dispose([i, u, c, b.x, b.masks]);
    }
  } finally {
    tf.dispose([w, bias]);
  }
  check(rows > 0, 'input', () => `${fn}: the dataset has no images`);
  const scores = Array.from({ length: nc }, (_, j) => (embeddings.task === 'classification' ? correct[j] / rows : union[j] > 0 ? inter[j] / union[j] : 0));
  return { task: embeddings.task, concepts: embeddings.concepts, scores };
}
