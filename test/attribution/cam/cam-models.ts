import * as tf from '@tensorflow/tfjs';
import type { Model } from '../../../src/core/model.js';
import { fromLayersModel } from '../../../src/models/from-layers-model.js';

/** Seeded conv → [pool →] GAP → dense head on an 8×8×2 input, the CAM paper's architecture. */
export function gapCnn(options: { seed?: number; pool?: boolean; headActivation?: 'linear' | 'softmax' } = {}): { model: Model; layers: tf.LayersModel } {
  const seed = options.seed ?? 7;
  const layers = tf.sequential({ name: 'gap-cnn' });
  layers.add(tf.layers.conv2d({
    filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [8, 8, 2], name: 'conv',
    kernelInitializer: tf.initializers.glorotNormal({ seed }), biasInitializer: tf.initializers.randomNormal({ seed: seed + 1, stddev: 0.1 }),
  }));
  if (options.pool) layers.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }));
  layers.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  layers.add(tf.layers.dense({
    units: 3, name: 'fc', activation: options.headActivation ?? 'linear',
    kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 2 }), biasInitializer: tf.initializers.randomNormal({ seed: seed + 3 }),
  }));
  return { model: fromLayersModel(layers), layers };
}

/** Conv → pool → conv → flatten → dense: a CNN without global average pooling, on 8×8×2. */
export function flatCnn(seed = 11): { model: Model; layers: tf.LayersModel } {
  const layers = tf.sequential({ name: 'flat-cnn' });
  layers.add(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [8, 8, 2], name: 'conv1', kernelInitializer: tf.initializers.glorotNormal({ seed }) }));
  layers.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }));
  layers.add(tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', name: 'conv2', kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }) }));
  layers.add(tf.layers.reLU({ name: 'relu2' }));
  layers.add(tf.layers.flatten({ name: 'flatten' }));
  layers.add(tf.layers.dense({ units: 4, name: 'fc', kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 2 }) }));
  return { model: fromLayersModel(layers), layers };
}

/** A seeded batch of images [n, 8, 8, 2] in [0, 1). */
export function images(n = 2, seed = 3): tf.Tensor4D {
  return tf.randomUniform([n, 8, 8, 2], 0, 1, 'float32', seed) as tf.Tensor4D;
}

/** The dense kernel column of class t as a plain array (the CAM weights). */
export function denseColumn(layers: tf.LayersModel, name: string, t: number): number[] {
  const kernel = layers.getLayer(name).getWeights()[0];
  const [rows, cols] = kernel.shape;
  const data = kernel.dataSync();
  return Array.from({ length: rows }, (_, r) => data[r * cols + t]);
}

/** PyTorch's F.interpolate of one [h, w] map to [H, W]: legacy nearest, or bilinear with align_corners=False. */
export function torchInterpolate(map: Float32Array, h: number, w: number, H: number, W: number, mode: 'nearest' | 'bilinear'): Float32Array {
  const out = new Float32Array(H * W);
  const src = (d: number, inSize: number, outSize: number): [number, number, number] => {
    const s = Math.max(0, ((d + 0.5) * inSize) / outSize - 0.5);
    const i0 = Math.floor(s);
    const i1 = Math.min(inSize - 1, i0 + 1);
    return [i0, i1, s - i0];
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (mode === 'nearest') {
        out[y * W + x] = map[Math.min(h - 1, Math.floor((y * h) / H)) * w + Math.min(w - 1, Math.floor((x * w) / W))];
      } else {
        const [y0, y1, fy] = src(y, h, H);
        const [x0, x1, fx] = src(x, w, W);
        const top = map[y0 * w + x0] * (1 - fx) + map[y0 * w + x1] * fx;
        const bottom = map[y1 * w + x0] * (1 - fx) + map[y1 * w + x1] * fx;
        out[y * W + x] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}
