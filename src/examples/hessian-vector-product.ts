import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { withSecondOrderGradients } from '../engine/second-order-gradients.js';
import type { Model, ModelParameter } from '../core/model.js';
import { perExampleLoss, type ExampleLoss } from './example-loss.js';
import { forEachLabelledBatch, type StreamOptions } from './labelled-batch.js';

/** The summed loss of a batch as a function of the parameters' values (passed as `run(x, {params})`). */
function batchLoss(model: Model, params: readonly ModelParameter[], x: tf.Tensor, y: tf.Tensor, loss: ExampleLoss): (...vs: tf.Tensor[]) => tf.Scalar {
  return (...vs) => {
    const values = Object.fromEntries(params.map((p, i) => [p.name, vs[i]]));
    return tf.sum(perExampleLoss(model, model.run(x, { params: values }).output, y, loss));
  };
}

/** `H v` for one batch, H the Hessian of the batch's summed loss, by double backprop (Pearlmutter 1994). */
export function batchHessianVectorProduct(model: Model, params: readonly ModelParameter[], x: tf.Tensor, y: tf.Tensor, loss: ExampleLoss, v: tf.Tensor1D): tf.Tensor1D {
  return withSecondOrderGradients(() => tf.tidy(() => {
    const f = batchLoss(model, params, x, y, loss);
    const sizes = params.map((p) => p.shape.reduce((a, b) => a * b, 1));
    const parts = tf.split(v, sizes);
    const dot = (...vs: tf.Tensor[]): tf.Scalar => {
      const g = tf.grads(f)(vs);
      return tf.addN(g.map((gi, i) => tf.sum(tf.mul(tf.reshape(gi, [-1]), parts[i])))) as tf.Scalar;
    };
    const hv = tf.grads(dot)(params.map((p) => p.value));
    return tf.concat(hv.map((h) => tf.reshape(h, [-1])), 0) as tf.Tensor1D;
  }));
}

/** `H v` with H the Hessian of the SUM of per-row losses over a dataset, streamed in batches. */
export async function hessianVectorProduct(model: Model, params: readonly ModelParameter[], data: Dataset, loss: ExampleLoss, v: tf.Tensor1D, options: StreamOptions, what: string): Promise<tf.Tensor1D> {
  let total: tf.Tensor1D = tf.zerosLike(v);
  await forEachLabelledBatch(data, { ...options, onProgress: undefined }, what, ({ x, y }) => {
    const hv = batchHessianVectorProduct(model, params, x, y, loss, v);
    const next = tf.add(total, hv) as tf.Tensor1D;
    tf.dispose([total, hv]);
    total = next;
  });
  return total;
}
