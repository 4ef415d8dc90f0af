import * as tf from '@tensorflow/tfjs';
import { forEachCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import { check } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { Model } from '../core/model.js';
import { Rng } from '../core/random.js';
import type { ExampleLoss } from './example-loss.js';
import { forEachLabelledBatch, type LabelledRows, type StreamOptions } from './labelled-batch.js';
import { parameterCount, perExampleGradients, selectParameters, type ParameterSelection } from './per-example-gradients.js';

/** Options of `tracInCP` and `tracInCPSelfInfluence`. */
export interface TracInOptions extends ParameterSelection, StreamOptions {
  /** The checkpoints of training; each term is weighted by its `learningRate` (default 1, as Captum's loader). */
  readonly checkpoints: readonly Checkpoint[];
  /** The training loss (default 'cross-entropy'). */
  readonly loss?: ExampleLoss;
  /**
   * Random-projection variant: gradients are multiplied by a seeded Gaussian matrix `[P, d]`
   * scaled by 1/√d before the products (an unbiased estimate of the inner products, Pruthi et al.
   * §3.2); default: exact products.
   */
  readonly projectionDim?: number;
  readonly seed?: number;
}

/** Influence scores `[T, N]` (test rows × dataset rows), row-major. */
export interface InfluenceScores {
  readonly scores: Float32Array;
  readonly shape: readonly [number, number];
}

/** The seeded projection `[P, d]` / √d of TracIn's random-projection variant (Pruthi et al. 2020, §3.2), or null. */
export function tracInProjection(p: number, options: TracInOptions): tf.Tensor2D | null {
  const d = options.projectionDim;
  if (d === undefined) return null;
  check(Number.isInteger(d) && d >= 1, 'option', () => `tracInCP: projectionDim must be a positive integer; found ${d}`);
  const rng = new Rng(options.seed ?? 42);
  const values = new Float32Array(p * d);
  for (let i = 0; i < values.length; i++) values[i] = rng.normal() / Math.sqrt(d);
  return tf.tensor2d(values, [p, d]);
}

function gradients(model: Model, x: tf.Tensor, y: tf.Tensor, options: TracInOptions, proj: tf.Tensor2D | null): tf.Tensor2D {
  return tf.tidy(() => {
    const g = perExampleGradients(model, x, y, options);
    return proj ? tf.matMul(g, proj) : g;
  });
}

/**
 * TracInCP (Pruthi et al. 2020, "Estimating training data influence by tracing gradient descent"):
 * `score[t, j] = Σ_c η_c ⟨∇θ L(z_t; θ_c), ∇θ L(z_j; θ_c)⟩` over the checkpoints c, with per-example
 * gradients of the selected parameters (one backward pass per batch). Positive = proponent (a
 * gradient step on row j lowers the test loss), as Captum's `TracInCP`. The dataset is streamed:
 * memory is one batch of gradients plus the test rows'.
 */
export async function tracInCP(model: Model, train: Dataset, test: LabelledRows, options: TracInOptions): Promise<InfluenceScores> {
  const params = selectParameters(model, options, 'tracInCP');
  const t = test.x.shape[0];
  const n = train.size;
  const scores = new Float32Array(t * n);
  const proj = tracInProjection(parameterCount(params), options);
  try {
    await forEachCheckpoint(model, options.checkpoints, async (checkpoint) => {
      const lr = checkpoint.learningRate ?? 1;
      const gTest = gradients(model, test.x, test.y, options, proj);
      try {
        await forEachLabelledBatch(train, options, 'tracInCP', async ({ x, y, index }) => {
          const block = tf.tidy(() => tf.mul(tf.matMul(gTest, gradients(model, x, y, options, proj), false, true), lr));
          const values = await block.data();
          block.dispose();
          const b = index.length;
          for (let i = 0; i < t; i++) for (let k = 0; k < b; k++) scores[i * n + index[k]] += values[i * b + k];
        });
      } finally {
        gTest.dispose();
      }
    });
  } finally {
    proj?.dispose();
  }
  return { scores, shape: [t, n] };
}

/** TracInCP's self-influence: `Σ_c η_c ‖∇θ L(z_j; θ_c)‖²` for every dataset row (Captum's `self_influence`). */
export async function tracInCPSelfInfluence(model: Model, train: Dataset, options: TracInOptions): Promise<Float32Array> {
  const params = selectParameters(model, options, 'tracInCPSelfInfluence');
  const out = new Float32Array(train.size);
  const proj = tracInProjection(parameterCount(params), options);
  try {
    await forEachCheckpoint(model, options.checkpoints, async (checkpoint) => {
      const lr = checkpoint.learningRate ?? 1;
      await forEachLabelledBatch(train, options, 'tracInCPSelfInfluence', async ({ x, y, index }) => {
        const norms = tf.tidy(() => tf.mul(tf.sum(tf.square(gradients(model, x, y, options, proj)), 1), lr));
        const values = await norms.data();
        norms.dispose();
        index.forEach((j, k) => (out[j] += values[k]));
      });
    });
  } finally {
    proj?.dispose();
  }
  return out;
}
