/** Small seeded models for the DeepLIFT tests. */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../../../src/core/model.js';
import { fromLayersModel } from '../../../src/models/from-layers-model.js';

const glorot = (seed: number) => tf.initializers.glorotNormal({ seed });
const normal = (seed: number) => tf.initializers.randomNormal({ seed, stddev: 0.3 });

/** x → relu(x W1 + c) · v (+ d): 2 inputs, 2 hidden ReLUs (separate or fused), 1 output. */
export function oneReluNet(fused: boolean, w1: number[][], c: number[], v: number[], d = 0): { model: Model; layers: tf.LayersModel } {
  const m = tf.sequential();
  const h = tf.layers.dense({ units: 2, inputShape: [2], activation: fused ? 'relu' : 'linear', name: 'fc1' });
  m.add(h);
  if (!fused) m.add(tf.layers.reLU({ name: 'relu' }));
  const out = tf.layers.dense({ units: 1, name: 'fc2' });
  m.add(out);
  h.setWeights([tf.tensor2d(w1), tf.tensor1d(c)]);
  out.setWeights([tf.tensor2d(v.map((x) => [x])), tf.tensor1d([d])]);
  return { model: fromLayersModel(m), layers: m };
}

/** A seeded MLP mixing activations: fused and separate, ReLU, tanh, sigmoid, ELU, leaky ReLU, softplus. */
export function randomMlp(seed: number): { model: Model; layers: tf.LayersModel } {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 12, inputShape: [6], activation: 'relu', name: 'fc1', kernelInitializer: glorot(seed), biasInitializer: normal(seed + 1) }));
  m.add(tf.layers.dense({ units: 10, name: 'fc2', kernelInitializer: glorot(seed + 2), biasInitializer: normal(seed + 3) }));
  m.add(tf.layers.activation({ activation: 'tanh', name: 'tanh' }));
  m.add(tf.layers.dense({ units: 8, activation: 'sigmoid', name: 'fc3', kernelInitializer: glorot(seed + 4), biasInitializer: normal(seed + 5) }));
  m.add(tf.layers.dense({ units: 8, name: 'fc4', kernelInitializer: glorot(seed + 6), biasInitializer: normal(seed + 7) }));
  m.add(tf.layers.elu({ name: 'elu' }));
  m.add(tf.layers.dense({ units: 6, name: 'fc5', kernelInitializer: glorot(seed + 8), biasInitializer: normal(seed + 9) }));
  m.add(tf.layers.leakyReLU({ alpha: 0.2, name: 'leaky' }));
  m.add(tf.layers.dense({ units: 5, activation: 'softplus', name: 'fc6', kernelInitializer: glorot(seed + 10), biasInitializer: normal(seed + 11) }));
  m.add(tf.layers.dense({ units: 3, name: 'out', kernelInitializer: glorot(seed + 12), biasInitializer: normal(seed + 13) }));
  return { model: fromLayersModel(m), layers: m };
}

/** A seeded CNN: conv (fused ReLU) → BN → ReLU6 → max pool → depthwise conv → ReLU → avg pool → conv → global max pool → dense. */
export function randomCnn(seed: number): { model: Model; layers: tf.LayersModel } {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1', kernelInitializer: glorot(seed), biasInitializer: normal(seed + 1) }));
  m.add(tf.layers.batchNormalization({ name: 'bn', gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: seed + 2 }), betaInitializer: normal(seed + 3), movingMeanInitializer: normal(seed + 4), movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 2, seed: seed + 5 }) }));
  m.add(tf.layers.reLU({ maxValue: 6, name: 'relu6' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'dw', depthwiseInitializer: glorot(seed + 6), biasInitializer: normal(seed + 7), useBias: true }));
  m.add(tf.layers.reLU({ name: 'relu2' }));
  m.add(tf.layers.averagePooling2d({ poolSize: 2, name: 'pool2' }));
  m.add(tf.layers.conv2d({ filters: 5, kernelSize: 1, activation: 'tanh', name: 'conv3', kernelInitializer: glorot(seed + 8), biasInitializer: normal(seed + 9) }));
  m.add(tf.layers.globalMaxPooling2d({ name: 'gmp' }));
  m.add(tf.layers.dense({ units: 3, name: 'out', kernelInitializer: glorot(seed + 10), biasInitializer: normal(seed + 11) }));
  return { model: fromLayersModel(m), layers: m };
}

/** A functional model: one ReLU layer object called twice, a residual Add and a concatenation. */
export function sharedResidualNet(seed: number): { model: Model; layers: tf.LayersModel } {
  const input = tf.input({ shape: [5] });
  const act = tf.layers.reLU({ name: 'act' });
  const d1 = tf.layers.dense({ units: 6, name: 'd1', kernelInitializer: glorot(seed), biasInitializer: normal(seed + 1) }).apply(input) as tf.SymbolicTensor;
  const h1 = act.apply(d1) as tf.SymbolicTensor;
  const d2 = tf.layers.dense({ units: 6, name: 'd2', kernelInitializer: glorot(seed + 2), biasInitializer: normal(seed + 3) }).apply(h1) as tf.SymbolicTensor;
  const h2 = act.apply(d2) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'res' }).apply([h2, h1]) as tf.SymbolicTensor;
  const t = tf.layers.dense({ units: 4, activation: 'tanh', name: 'd3', kernelInitializer: glorot(seed + 4), biasInitializer: normal(seed + 5) }).apply(sum) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([t, h1]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, name: 'out', kernelInitializer: glorot(seed + 6), biasInitializer: normal(seed + 7) }).apply(cat) as tf.SymbolicTensor;
  const layers = tf.model({ inputs: input, outputs: out });
  return { model: fromLayersModel(layers), layers };
}

/** f(x)[c_i] − f(b)[c_i] per example, from plain forward passes. */
export async function outputDifference(model: Model, x: tf.Tensor, b: tf.Tensor, target: readonly number[]): Promise<number[]> {
  const fx = await model.predict(x);
  const fb = await model.predict(b);
  const a = (await fx.array()) as number[][];
  const z = (await fb.array()) as number[][];
  tf.dispose([fx, fb]);
  return target.map((c, i) => a[i][c] - z[Math.min(i, z.length - 1)][c]);
}

/** Σ of each example's values. */
export async function rowSums(t: tf.Tensor): Promise<number[]> {
  const s = tf.tidy(() => t.reshape([t.shape[0], -1]).sum(1));
  const data = Array.from(await s.data());
  s.dispose();
  return data;
}
