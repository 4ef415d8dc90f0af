import * as tf from '@tensorflow/tfjs';
import { conceptShapes, SHAPES_CONCEPTS } from '../data/concept-shapes.js';
import type { ConceptMaskDataset } from './network-dissection.js';

/** The concept-shapes images (src/data/concept-shapes.ts) with their masks as a ConceptMaskDataset, generated once from `seed`. */
export function shapesMaskDataset(count: number, seed = 0): ConceptMaskDataset {
  const data = conceptShapes(count, { seed });
  const s = data.size;
  const nc = SHAPES_CONCEPTS.length;
  return {
    size: count,
    concepts: SHAPES_CONCEPTS,
    async *batches(batchSize: number) {
      for (let start = 0; start < count; start += batchSize) {
        const n = Math.min(batchSize, count - start);
        const masks = new Float32Array(n * s * s * nc);
        for (let p = 0; p < n * s * s; p++) SHAPES_CONCEPTS.forEach((c, j) => (masks[p * nc + j] = data.masks[c][start * s * s + p]));
        yield {
          x: tf.tensor4d(data.images.subarray(start * s * s * 3, (start + n) * s * s * 3), [n, s, s, 3]),
          masks: tf.tensor4d(masks, [n, s, s, nc]),
        };
      }
    },
  };
}
