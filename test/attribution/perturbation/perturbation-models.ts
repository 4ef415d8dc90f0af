import * as tf from '@tensorflow/tfjs';
import type { Model } from '../../../src/core/model.js';
import { fromFunction } from '../../../src/models/from-function.js';
import { Rng } from '../../../src/core/random.js';

/** A black-box linear model over examples of `shape`: f(x)_k = Σ_j x_j W[j, k] + b_k, with seeded W and b. */
export function linearBlackBox(shape: number[], classes = 3, seed = 5): { model: Model; w: Float32Array; b: Float32Array; calls: () => number } {
  const d = shape.reduce((a, c) => a * c, 1);
  const rng = new Rng(seed);
  const w = rng.normals(d * classes);
  const b = rng.normals(classes);
  let calls = 0;
  const model = fromFunction(
    (x) => {
      calls++;
      return tf.tidy(() => x.reshape([x.shape[0], d]).matMul(tf.tensor2d(w, [d, classes])).add(tf.tensor1d(b)));
    },
    { inputShape: shape, outputShape: [classes], name: 'linear' },
  );
  return { model, w, b, calls: () => calls };
}

/** Seeded uniform data on [lo, hi) as a tensor. */
export function uniform(shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor {
  const n = shape.reduce((a, c) => a * c, 1);
  return tf.tensor(new Rng(seed).uniforms(n, lo, hi), shape);
}
