import * as tf from '@tensorflow/tfjs';
import type { Model } from '../src/core/model.js';
import { fromLayersModel } from '../src/models/from-layers-model.js';

/** A linear model y = x W + b (Dense, no activation), with its weights as plain arrays. */
export function linearModel(weights: number[][], bias?: number[]): { model: Model; layers: tf.LayersModel } {
  const inputs = weights.length;
  const outputs = weights[0].length;
  const layers = tf.sequential({ name: 'linear' });
  const dense = tf.layers.dense({ units: outputs, inputShape: [inputs], useBias: bias !== undefined, name: 'fc' });
  layers.add(dense);
  dense.setWeights(bias ? [tf.tensor2d(weights), tf.tensor1d(bias)] : [tf.tensor2d(weights)]);
  return { model: fromLayersModel(layers), layers };
}

/** A small tanh MLP with seeded weights: 4 → 8 (tanh) → 3. */
export function tanhMlp(seed = 1): { model: Model; layers: tf.LayersModel } {
  const layers = tf.sequential({ name: 'mlp' });
  layers.add(tf.layers.dense({ units: 8, inputShape: [4], name: 'fc1', kernelInitializer: tf.initializers.glorotNormal({ seed }), biasInitializer: tf.initializers.randomNormal({ seed: seed + 1 }) }));
  layers.add(tf.layers.activation({ activation: 'tanh', name: 'tanh' }));
  layers.add(tf.layers.dense({ units: 3, name: 'fc2', kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 2 }) }));
  return { model: fromLayersModel(layers), layers };
}

/** A model whose every `run` is counted, to prove batching. */
export function countingModel(model: Model): { model: Model; calls: () => number } {
  let calls = 0;
  return {
    model: {
      ...model,
      run: (x, options) => {
        calls++;
        return model.run(x, options);
      },
      predict: (x) => {
        calls++;
        return model.predict(x);
      },
    },
    calls: () => calls,
  };
}

/** max |a − b| over two tensors' values. */
export async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor | ArrayLike<number>): Promise<number> {
  const x = await a.data();
  const y = b instanceof tf.Tensor ? await b.data() : b;
  if (x.length !== y.length) return Infinity;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}
