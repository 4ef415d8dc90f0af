/**
 * A small, reproducible training loop for classifiers: the one the bundled models, ROAR / KAR,
 * data randomisation and the ground-truth benchmark share.
 */
import * as tf from '@tensorflow/tfjs';
import { check, LumenError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import { snapshotCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import { fromLayersModel } from '../models/from-layers-model.js';
import { withSecondOrderGradients } from '../engine/second-order-gradients.js';

/** What a training forward pass returns when a penalty needs internal activations as well as the logits. */
export interface CapturedForward {
  readonly logits: tf.Tensor;
  /** Named internal activations of the same batch (e.g. a conv layer's feature maps). */
  readonly captured: Readonly<Record<string, tf.Tensor>>;
}

/** One optimisation step's batch, as a `penalty` sees it (all tensors belong to the step's tidy scope). */
export interface PenaltyBatch {
  /** The inputs `[B, ...inputShape]`. */
  readonly x: tf.Tensor;
  /** The labels, one-hot `[B, classes]`. */
  readonly labels: tf.Tensor2D;
  /** The logits of `x` under the training forward pass. */
  readonly logits: tf.Tensor;
  /** What the forward pass captured (empty unless `forward` returns a `CapturedForward`). */
  readonly captured: Readonly<Record<string, tf.Tensor>>;
  /** Row of each batch example in the training set (to look up per-example annotations). */
  readonly indices: Int32Array;
  /** The training forward pass, logits only (for penalties that differentiate it again). */
  readonly forward: (x: tf.Tensor) => tf.Tensor;
}

/** A training-time regulariser: a scalar added to the cross-entropy of each step. */
export type TrainingPenalty = (batch: PenaltyBatch) => tf.Scalar;

/** Options of `fitClassifier`. */
export interface FitClassifierOptions {
  /** Passes over the training set (default 5). */
  readonly epochs?: number;
  /** Examples per optimisation step (default 64). */
  readonly batchSize?: number;
  /** Adam's learning rate (default 0.002). */
  readonly learningRate?: number;
  /** Seed of the per-epoch shuffles (default 1337). */
  readonly seed?: number;
  /** Number of classes (default: the model's output size). */
  readonly classes?: number;
  /** The training forward pass, logits `[N, classes]` (default `model.apply(x, {training: true})`). */
  readonly forward?: (x: tf.Tensor) => tf.Tensor | CapturedForward;
  /**
   * A regulariser added to each step's mean cross-entropy (src/training/: right for the right
   * reasons, ExpO, interpretable filters, tree regularisation). The step runs inside
   * `withSecondOrderGradients`, so a penalty may differentiate the model again.
   */
  readonly penalty?: TrainingPenalty;
  /** Called after each epoch with its mean loss (e.g. to log held-out accuracy). */
  readonly onEpoch?: (epoch: number, loss: number) => void;
  readonly signal?: AbortSignal;
  /** 'adam' (default) or plain 'sgd' (no momentum) at `learningRate`. */
  readonly optimizer?: 'adam' | 'sgd';
  /**
   * Saves a Checkpoint (src/core/checkpoint.ts: the parameters as `fromLayersModel` names them,
   * with the learning rate) after every this many epochs and after the last; default none.
   */
  readonly checkpointEvery?: number;
}

/** What `fitClassifier` returns: the mean loss of each epoch, and the checkpoints when asked (the caller disposes them). */
export interface FitResult {
  readonly losses: readonly number[];
  readonly checkpoints?: readonly Checkpoint[];
}

/**
 * Trains `model` (its outputs are logits) in place with Adam on softmax cross-entropy, shuffling
 * the examples each epoch with Lumen's seeded `Rng` (never tfjs' own shuffle), so the same seed and
 * backend give the same weights. `x` is `[N, ...inputShape]`, `labels` one class index per example.
 */
export async function fitClassifier(model: tf.LayersModel, x: tf.Tensor, labels: ArrayLike<number>, options: FitClassifierOptions = {}): Promise<FitResult> {
  const n = labels.length;
  const epochs = options.epochs ?? 5;
  const batchSize = options.batchSize ?? 64;
  const classes = options.classes ?? (model.outputs[0].shape[model.outputs[0].shape.length - 1] as number);
  check(x.shape[0] === n && n > 0, 'shape', () => `fitClassifier: expected one label per example (${x.shape[0]}); found ${n}`);
  check(Number.isInteger(epochs) && epochs >= 1, 'option', () => `fitClassifier: epochs must be a positive integer; found ${epochs}`);
  check(Number.isInteger(batchSize) && batchSize >= 1, 'option', () => `fitClassifier: batchSize must be a positive integer; found ${batchSize}`);
  check(Array.from(labels).every((c) => Number.isInteger(c) && c >= 0 && c < classes), 'target', () =>
    `fitClassifier: labels must be class indices in 0…${classes - 1}`);
  const forwardAny = options.forward ?? ((t: tf.Tensor) => model.apply(t, { training: true }) as tf.Tensor);
  const forward = (t: tf.Tensor): tf.Tensor => logitsOf(forwardAny(t));
  const penalty = options.penalty;
  const rng = new Rng(options.seed ?? 1337);
  const every = options.checkpointEvery;
  check(every === undefined || (Number.isInteger(every) && every >= 1), 'option', () => `fitClassifier: checkpointEvery must be a positive integer; found ${every}`);
  check(options.optimizer === undefined || options.optimizer === 'adam' || options.optimizer === 'sgd', 'option', () => `fitClassifier: optimizer must be 'adam' or 'sgd'; found '${String(options.optimizer)}'`);
  const learningRate = options.learningRate ?? 0.002;
  const optimizer = options.optimizer === 'sgd' ? tf.train.sgd(learningRate) : tf.train.adam(learningRate);
  const view = every ? fromLayersModel(model) : null;
  const checkpoints: Checkpoint[] = [];
  const oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), classes).toFloat());
  const losses: number[] = [];
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = rng.permutation(n);
      let total = 0;
      for (let start = 0; start < n; start += batchSize) {
        if (options.signal?.aborted) throw new LumenError('aborted', `fitClassifier: aborted in epoch ${epoch}`);
        const rows = order.subarray(start, Math.min(start + batchSize, n));
        const idx = tf.tensor1d(rows, 'int32');
        const step = (): tf.Scalar => tf.tidy(() => {
          const xb = tf.gather(x, idx);
          const yb = tf.gather(oneHot, idx) as tf.Tensor2D;
          return optimizer.minimize(() => {
            const out = forwardAny(xb);
            const logits = logitsOf(out);
            const ce = tf.losses.softmaxCrossEntropy(yb, logits) as tf.Scalar;
            if (!penalty) return ce;
            const captured = out instanceof tf.Tensor ? {} : out.captured;
            return tf.add(ce, penalty({ x: xb, labels: yb, logits, captured, indices: rows, forward })) as tf.Scalar;
          }, true) as tf.Scalar;
        });
        const loss = penalty ? withSecondOrderGradients(step) : step();
        total += (await loss.data())[0] * idx.shape[0];
        tf.dispose([loss, idx]);
      }
      losses.push(total / n);
      options.onEpoch?.(epoch, total / n);
      if (view && every && (epoch % every === 0 || epoch === epochs)) checkpoints.push(snapshotCheckpoint(view, learningRate, `epoch ${epoch}`));
    }
  } catch (e) {
    for (const c of checkpoints) tf.dispose(Object.values(c.parameters));
    throw e;
  } finally {
    oneHot.dispose();
    optimizer.dispose();
  }
  return every ? { losses, checkpoints } : { losses };
}

function logitsOf(out: tf.Tensor | CapturedForward): tf.Tensor {
  return out instanceof tf.Tensor ? out : out.logits;
}

/** The share of examples whose arg-max prediction equals the label (batches of `batchSize`). */
export function classifierAccuracy(model: tf.LayersModel, x: tf.Tensor, labels: ArrayLike<number>, batchSize = 256): number {
  const predicted = predictedClasses(model, x, batchSize);
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) ok++;
  return ok / labels.length;
}

/** Each example's arg-max class under `model` (batches of `batchSize`). */
export function predictedClasses(model: tf.LayersModel, x: tf.Tensor, batchSize = 256): Int32Array {
  return tf.tidy(() => (model.predict(x, { batchSize }) as tf.Tensor).argMax(-1).dataSync() as Int32Array);
}
