import type { Rng } from '../core/random.js';
import type { AnchorSampler } from './anchor-sampler.js';

/**
 * The image domain of Anchors: features are superpixels. A sample keeps the anchor's superpixels
 * and each other one with probability `keep` (alibi's `p_sample`, 0.5); a superpixel switched off
 * shows `background` (alibi's default: the superpixel's mean colour). A feature holds when its
 * superpixel is kept.
 */
export function imageAnchorSampler(image: Float32Array, labels: Int32Array, segments: number, channels: number, background: Float32Array, keep: number): AnchorSampler {
  const size = image.length;
  const draw = (n: number, rng: Rng, anchor: readonly number[]): Uint8Array => {
    const flags = new Uint8Array(n * segments);
    for (let i = 0; i < flags.length; i++) flags[i] = rng.uniform() < keep ? 1 : 0;
    for (let r = 0; r < n; r++) for (const f of anchor) flags[r * segments + f] = 1;
    return flags;
  };
  return {
    featureCount: segments,
    inputSize: size,
    independent: true,
    dtype: 'float32',
    sample(anchor, n, rng) {
      const flags = draw(n, rng, anchor);
      const inputs = new Float32Array(n * size);
      for (let r = 0; r < n; r++) {
        const out = inputs.subarray(r * size, (r + 1) * size);
        for (let p = 0; p < labels.length; p++) {
          const src = flags[r * segments + labels[p]] === 1 ? image : background;
          for (let c = 0; c < channels; c++) out[p * channels + c] = src[p * channels + c];
        }
      }
      return { inputs, flags };
    },
    coverageFlags: (n, rng) => draw(n, rng, []),
  };
}

/** Each superpixel's mean colour, painted over the superpixel (alibi's default background). */
export function segmentMeans(image: Float32Array, labels: Int32Array, segments: number, channels: number): Float32Array {
  const sums = new Float64Array(segments * channels);
  const counts = new Float64Array(segments);
  for (let p = 0; p < labels.length; p++) {
    counts[labels[p]]++;
    for (let c = 0; c < channels; c++) sums[labels[p] * channels + c] += image[p * channels + c];
  }
  const out = new Float32Array(image.length);
  for (let p = 0; p < labels.length; p++) for (let c = 0; c < channels; c++) out[p * channels + c] = sums[labels[p] * channels + c] / counts[labels[p]];
  return out;
}
