import * as tf from '@tensorflow/tfjs';
import { GROUND_TRUTH_SIZE } from './ground-truth-data.js';

/**
 * The architecture of the ground-truth benchmark's model (`bundled:groundtruth`): three 3 × 3
 * convolutions (16, 32, 32 filters, 'same' padding, ReLU), 2 × 2 max pooling after the first two,
 * a dense layer of 64 and 10 logits; Glorot-uniform kernels from `seed + k` for layer k, zero biases.
 */
export function groundTruthCnn(seed = 1337): tf.LayersModel {
  const init = (k: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: seed + k }), biasInitializer: 'zeros' as const });
  const m = tf.sequential({ name: 'groundtruth_cnn' });
  m.add(tf.layers.conv2d({ name: 'conv1', inputShape: [GROUND_TRUTH_SIZE, GROUND_TRUTH_SIZE, 1], filters: 16, kernelSize: 3, padding: 'same', ...init(1) }));
  m.add(tf.layers.activation({ name: 'relu1', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }));
  m.add(tf.layers.conv2d({ name: 'conv2', filters: 32, kernelSize: 3, padding: 'same', ...init(2) }));
  m.add(tf.layers.activation({ name: 'relu2', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }));
  m.add(tf.layers.conv2d({ name: 'conv3', filters: 32, kernelSize: 3, padding: 'same', ...init(3) }));
  m.add(tf.layers.activation({ name: 'relu3', activation: 'relu' }));
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ name: 'dense1', units: 64, ...init(4) }));
  m.add(tf.layers.activation({ name: 'relu4', activation: 'relu' }));
  m.add(tf.layers.dense({ name: 'logits', units: 10, ...init(5) }));
  return m;
}
