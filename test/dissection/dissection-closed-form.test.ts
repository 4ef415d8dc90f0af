/**
 * Network dissection's definitions checked in closed form on toy models whose unit maps are known:
 * the threshold is the (1 − q) quantile over every position of every image (numpy's percentile),
 * maps are upsampled to the masks before binarising, and IoU is accumulated over the dataset.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { percentile } from '../../src/core/percentile.js';
import { networkDissection, type ConceptMaskDataset } from '../../src/dissection/network-dissection.js';
import { useBackend } from '../../src/engine/backend.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';

/** A dataset of `images` [n, 4, 4, 1] with masks [n, 4, 4, concepts], streamed `batchSize` at a time. */
function maskData(images: number[][], masks: number[][][], concepts: string[]): ConceptMaskDataset {
  return {
    size: images.length,
    concepts,
    async *batches(batchSize: number) {
      for (let s = 0; s < images.length; s += batchSize) {
        const part = images.slice(s, s + batchSize);
        const m = masks.slice(s, s + batchSize);
        // masks[i][c] is a 16-vector per concept; lay out [n, 4, 4, concepts]
        const flat = m.flatMap((per) => Array.from({ length: 16 }, (_, p) => per.map((c) => c[p])).flat());
        yield { x: tf.tensor4d(part.flat(), [part.length, 4, 4, 1]), masks: tf.tensor4d(flat, [part.length, 4, 4, concepts.length]) };
      }
    },
  };
}

const oneHot = (on: number[]) => Array.from({ length: 16 }, (_, p) => (on.includes(p) ? 1 : 0));

test('dissection (identity unit): T is the 90th percentile over all 32 positions; IoU is Σ∩ / Σ∪ over images, not a mean of per-image IoUs', async () => {
  await useBackend('wasm');
  const net = tf.sequential({ layers: [tf.layers.conv2d({ name: 'u', inputShape: [4, 4, 1], filters: 1, kernelSize: 1, useBias: false, kernelInitializer: 'ones' })] });
  const model = fromLayersModel(net);
  const images = [Array.from({ length: 16 }, (_, p) => (p + 1) / 32), Array.from({ length: 16 }, (_, p) => (p + 17) / 32)];
  // unit on (> T = 28.9/32): image 1's last row, positions 12–15
  const a = [oneHot([0]), oneHot([12, 13, 14, 15])]; // dataset IoU 4 / 5; per-image mean (0 + 1) / 2
  const b = [oneHot(Array.from({ length: 16 }, (_, p) => p)), oneHot([15])]; // 1 / (4 + 17 − 1)
  const data = maskData(images, [[a[0], b[0]], [a[1], b[1]]], ['a', 'b']);
  for (const batchSize of [1, 2]) {
    const d = await networkDissection(model, data, 'u', { quantile: 0.1, batchSize });
    assert.ok(Math.abs(d.thresholds[0] - percentile(images.flat(), 90)) < 1e-6, `${d.thresholds[0]}`);
    assert.ok(Math.abs(d.thresholds[0] - 28.9 / 32) < 1e-6);
    assert.ok(Math.abs(d.iou[0][0] - 0.8) < 1e-6, `${d.iou[0][0]}`);
    assert.ok(Math.abs(d.iou[0][1] - 1 / 20) < 1e-6, `${d.iou[0][1]}`);
    assert.deepEqual(d.units.map((u) => u.concept), ['a']);
  }
  net.dispose();
});

test('dissection (pooled unit [2, 2] on 4 × 4 masks): the map is upsampled to the masks with half-pixel centres before thresholding', async () => {
  await useBackend('wasm');
  const net = tf.sequential({ layers: [tf.layers.maxPooling2d({ name: 'u', inputShape: [4, 4, 1], poolSize: 2 })] });
  const model = fromLayersModel(net);
  // image 0's pooled map is [[1, 0], [0, 0]]; image 1's is all 0. T = 90th percentile of 8 values = 0.3.
  const images = [oneHot([0]), oneHot([])];
  const quadrant = oneHot([0, 1, 4, 5]);
  const topRows = oneHot([0, 1, 2, 3, 4, 5, 6, 7]);
  const data = maskData(images, [[quadrant, topRows], [oneHot([]), oneHot([])]], ['quadrant', 'top rows']);
  const d = await networkDissection(model, data, 'u', { quantile: 0.1 });
  assert.ok(Math.abs(d.thresholds[0] - 0.3) < 1e-6, `${d.thresholds[0]}`);
  // upsampled (half-pixel): 1, .75, .25, 0 along each axis from the corner; > 0.3 is exactly the top-left quadrant
  assert.ok(Math.abs(d.iou[0][0] - 1) < 1e-6, `${d.iou[0][0]}`);
  assert.ok(Math.abs(d.iou[0][1] - 0.5) < 1e-6, `${d.iou[0][1]}`);
  net.dispose();
});
