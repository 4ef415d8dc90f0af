import * as tf from '@tensorflow/tfjs';
import { forEachCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import { check } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { Model } from '../core/model.js';
import { perExampleLoss, type ExampleLoss } from './example-loss.js';
import { forEachLabelledBatch, type LabelledRows, type StreamOptions } from './labelled-batch.js';
import { selectParameters } from './per-example-gradients.js';
import type { InfluenceScores } from './tracin-cp.js';

/** Options of `tracInCPFast`. */
export interface TracInFastOptions extends StreamOptions {
  readonly checkpoints: readonly Checkpoint[];
  /** The final dense layer (default: the last layer with parameters). */
  readonly finalLayer?: string;
  readonly loss?: ExampleLoss;
}

/** TracInCPFast's layer (Pruthi et al. 2020): the last layer with parameters, or the named one (which must be dense). */
export function finalLayerOf(model: Model, options: TracInFastOptions): string {
  const params = selectParameters(model, {}, 'tracInCPFast');
  const layer = options.finalLayer ?? params[params.length - 1].layer;
  const own = selectParameters(model, { layers: [layer] }, 'tracInCPFast');
  check(own.every((p) => p.role !== 'other'), 'layer', () => `tracInCPFast: final layer '${layer}' must be dense (Dense, Gemm, MatMul)`);
  return layer;
}

/** The final layer's input `a` `[N, in]` and the loss gradient `d` at its pre-activation output `[N, out]` (one backward pass). */
export function finalLayerFactors(model: Model, x: tf.Tensor, y: tf.Tensor, layer: string, loss: ExampleLoss): { a: tf.Tensor2D; d: tf.Tensor2D } {
  const info = model.layers.find((l) => l.name === layer);
  const units = info?.outputShape.at(-1);
  check(info !== undefined && info.outputShape.length === 1 && typeof units === 'number', 'layer', () => `tracInCPFast: layer '${layer}' must have a flat output [units]`);
  let a: tf.Tensor | undefined;
  const f = (z: tf.Tensor): tf.Scalar => {
    const r = model.run(x, { perturb: { [layer]: z } });
    a = tf.keep((r.layerInputs?.[layer] as tf.Tensor).clone());
    return tf.sum(perExampleLoss(model, r.output, y, loss));
  };
  const d = tf.tidy(() => tf.grad(f)(tf.zeros([x.shape[0], units])));
  const input = a as tf.Tensor;
  check(input.rank === 2, 'layer', () => `tracInCPFast: the input of '${layer}' must be flat [N, features]; found [${input.shape}]`);
  return { a: input as tf.Tensor2D, d: d as tf.Tensor2D };
}

/**
 * TracInCPFast (Pruthi et al. 2020, §3.2; Captum's `TracInCPFast`): TracInCP restricted to the final
 * dense layer's weights, computed without forming gradients:
 * `score[t, j] = Σ_c η_c ⟨a_t, a_j⟩ ⟨d_t, d_j⟩` with `a` the layer's input and `d` the loss gradient at
 * its output. Like Captum it omits the bias (TracInCP on that layer gives `(⟨a_t, a_j⟩ + 1)⟨d_t, d_j⟩`).
 */
export async function tracInCPFast(model: Model, train: Dataset, test: LabelledRows, options: TracInFastOptions): Promise<InfluenceScores> {
  const layer = finalLayerOf(model, options);
  const loss = options.loss ?? 'cross-entropy';
  const t = test.x.shape[0];
  const n = train.size;
  const scores = new Float32Array(t * n);
  await forEachCheckpoint(model, options.checkpoints, async (checkpoint) => {
    const lr = checkpoint.learningRate ?? 1;
    const tf_ = finalLayerFactors(model, test.x, test.y, layer, loss);
    try {
      await forEachLabelledBatch(train, options, 'tracInCPFast', async ({ x, y, index }) => {
        const f = finalLayerFactors(model, x, y, layer, loss);
        const block = tf.tidy(() => tf.mul(tf.mul(tf.matMul(tf_.a, f.a, false, true), tf.matMul(tf_.d, f.d, false, true)), lr));
        tf.dispose([f.a, f.d]);
        const values = await block.data();
        block.dispose();
        const b = index.length;
        for (let i = 0; i < t; i++) for (let k = 0; k < b; k++) scores[i * n + index[k]] += values[i * b + k];
      });
    } finally {
      tf.dispose([tf_.a, tf_.d]);
    }
  });
  return { scores, shape: [t, n] };
}

/** TracInCPFast's self-influence: `Σ_c η_c ‖a_j‖² ‖d_j‖²`. */
export async function tracInCPFastSelfInfluence(model: Model, train: Dataset, options: TracInFastOptions): Promise<Float32Array> {
  const layer = finalLayerOf(model, options);
  const loss = options.loss ?? 'cross-entropy';
  const out = new Float32Array(train.size);
  await forEachCheckpoint(model, options.checkpoints, async (checkpoint) => {
    const lr = checkpoint.learningRate ?? 1;
    await forEachLabelledBatch(train, options, 'tracInCPFastSelfInfluence', async ({ x, y, index }) => {
      const f = finalLayerFactors(model, x, y, layer, loss);
      const v = tf.tidy(() => tf.mul(tf.mul(tf.sum(tf.square(f.a), 1), tf.sum(tf.square(f.d), 1)), lr));
      tf.dispose([f.a, f.d]);
      const values = await v.data();
      v.dispose();
      index.forEach((j, k) => (out[j] += values[k]));
    });
  });
  return out;
}
