/** Tiny models built so that an axiom's answer is known: symmetric and ignored features, and two networks computing one function. */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../../src/core/model.js';
import { Rng } from '../../src/core/random.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';

/** A model and the tf.LayersModel to dispose. */
export interface Toy {
  readonly model: Model;
  readonly layers: tf.LayersModel;
}

/**
 * 4 → 6 (ReLU) → 3 (ReLU) → 2 with seeded weights, where features 0 and 1 play identical roles
 * (equal rows of the first kernel) and feature 3 is ignored (a zero row). `bias: false` drops every
 * bias, so f(0) = 0 and LRP's ε-rule conserves relevance.
 */
export function symmetricDummyNet(seed: number, bias = true): Toy {
  const rng = new Rng(seed);
  const kernel = (rows: number, cols: number): number[][] => Array.from({ length: rows }, () => Array.from(rng.normals(cols), (v) => v * 0.8));
  const w1 = kernel(4, 6);
  w1[1] = [...w1[0]];
  w1[3] = w1[3].map(() => 0);
  const weights: [number[][], number[]][] = [
    [w1, Array.from(rng.normals(6), (v) => 0.2 * v)],
    [kernel(6, 3), Array.from(rng.normals(3), (v) => 0.2 * v)],
    [kernel(3, 2), Array.from(rng.normals(2), (v) => 0.2 * v)],
  ];
  const layers = tf.sequential({ name: 'symmetric_dummy' });
  const dense = [
    tf.layers.dense({ units: 6, inputShape: [4], useBias: bias, name: 'fc1' }),
    tf.layers.dense({ units: 3, useBias: bias, name: 'fc2' }),
    tf.layers.dense({ units: 2, useBias: bias, name: 'fc3' }),
  ];
  layers.add(dense[0]);
  layers.add(tf.layers.reLU({ name: 'relu1' }));
  layers.add(dense[1]);
  layers.add(tf.layers.reLU({ name: 'relu2' }));
  layers.add(dense[2]);
  dense.forEach((d, i) => d.setWeights(bias ? [tf.tensor2d(weights[i][0]), tf.tensor1d(weights[i][1])] : [tf.tensor2d(weights[i][0])]));
  return { model: fromLayersModel(layers), layers };
}

/** A dense layer with fixed weights [in × out] and bias, applied to a symbolic tensor. */
function fixedDense(input: tf.SymbolicTensor, w: number[][], b: number[], name: string, activation: 'relu' | 'linear' = 'linear'): tf.SymbolicTensor {
  const layer = tf.layers.dense({ units: b.length, activation, name });
  const out = layer.apply(input) as tf.SymbolicTensor;
  layer.setWeights([tf.tensor2d(w), tf.tensor1d(b)]);
  return out;
}

/**
 * f(x₁, x₂) = max(x₁, x₂, 1), built two ways: `first` = 1 + relu(x₁ − 1) + relu(x₂ − 1 − relu(x₁ − 1)),
 * `second` the same with x₁ and x₂ swapped. Functionally equal, different weights and hidden units
 * (the example of Sundararajan et al. 2017, §2.2, made concrete: discrete-gradient methods differ).
 */
export function maxNet(order: 'first' | 'second'): Toy {
  const [a, b] = order === 'first' ? [[1], [0]] : [[0], [1]];
  const x = tf.input({ shape: [2], name: 'x' });
  const h1 = fixedDense(x, [a, b], [-1], 'h1', 'relu');
  const both = tf.layers.concatenate({ name: 'x_h1' }).apply([x, h1]) as tf.SymbolicTensor;
  // The other input, minus 1, minus h1.
  const h2 = fixedDense(both, [b, a, [-1]], [-1], 'h2', 'relu');
  const hidden = tf.layers.concatenate({ name: 'h1_h2' }).apply([h1, h2]) as tf.SymbolicTensor;
  const y = fixedDense(hidden, [[1], [1]], [1], 'y');
  const layers = tf.model({ inputs: x, outputs: y, name: `max_${order}` });
  return { model: fromLayersModel(layers), layers };
}
