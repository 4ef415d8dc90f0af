import * as tf from '@tensorflow/tfjs';
import { CONCEPT_SHAPES_CLASSES, CONCEPT_SHAPES_SIZE } from './concept-shapes.js';

/**
 * The architecture of the concept-shapes model (`bundled:concepts`): three 3 × 3 'same'
 * convolutions (8, 16, 32 filters, ReLU), 2 × 2 max pooling after the first two, global average
 * pooling and 2 logits; Glorot-uniform kernels from `seed + k` for layer k, zero biases.
 * Global average pooling keeps every conv3 unit a spatial detector (what dissection reads).
 */
export function conceptShapesCnn(seed = 1337): tf.LayersModel {
  const init = (k: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: seed + k }), biasInitializer: 'zeros' as const });
  const m = tf.sequential({ name: 'concepts_cnn' });
  m.add(tf.layers.conv2d({ name: 'conv1', inputShape: [CONCEPT_SHAPES_SIZE, CONCEPT_SHAPES_SIZE, 3], filters: 8, kernelSize: 3, padding: 'same', ...init(1) }));
  m.add(tf.layers.activation({ name: 'relu1', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }));
  m.add(tf.layers.conv2d({ name: 'conv2', filters: 16, kernelSize: 3, padding: 'same', ...init(2) }));
  m.add(tf.layers.activation({ name: 'relu2', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }));
  m.add(tf.layers.conv2d({ name: 'conv3', filters: 32, kernelSize: 3, padding: 'same', ...init(3) }));
  m.add(tf.layers.activation({ name: 'relu3', activation: 'relu' }));
  m.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  m.add(tf.layers.dense({ name: 'logits', units: CONCEPT_SHAPES_CLASSES.length, ...init(4) }));
  return m;
}
