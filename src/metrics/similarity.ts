/** Similarity of two explanations, used by the randomisation metrics. */
import { LumenError } from '../core/errors.js';
import { hogFeatures } from './hog.js';
import { pearson, spearman, type Geometry } from './shared.js';

/**
 * How two explanations are compared: rank correlation, linear correlation, structural similarity,
 * or the Pearson correlation of their HOG features (the measures of Adebayo et al., 2018).
 */
export type SimilarityMeasure = 'spearman' | 'pearson' | 'ssim' | 'hog';

/**
 * SSIM (Wang et al., "Image Quality Assessment: From Error Visibility to Structural Similarity",
 * 2004) of two H × W maps with uniform 7 × 7 windows (smaller on small maps), data range the joint
 * max − min, K₁ = 0.01, K₂ = 0.03; the mean over windows.
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, h: number, w: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    lo = Math.min(lo, a[i], b[i]);
    hi = Math.max(hi, a[i], b[i]);
  }
  const L = hi - lo || 1;
  const [c1, c2] = [(0.01 * L) ** 2, (0.03 * L) ** 2];
  const win = Math.max(1, Math.min(7, h, w));
  let total = 0;
  let count = 0;
  for (let y = 0; y + win <= h; y++) {
    for (let x = 0; x + win <= w; x++) {
      let [ma, mb, vaa, vbb, vab] = [0, 0, 0, 0, 0];
      const k = win * win;
      for (let dy = 0; dy < win; dy++) for (let dx = 0; dx < win; dx++) {
        const q = (y + dy) * w + x + dx;
        ma += a[q] / k;
        mb += b[q] / k;
      }
      for (let dy = 0; dy < win; dy++) for (let dx = 0; dx < win; dx++) {
        const q = (y + dy) * w + x + dx;
        vaa += (a[q] - ma) ** 2;
        vbb += (b[q] - mb) ** 2;
        vab += (a[q] - ma) * (b[q] - mb);
      }
      const d = Math.max(1, k - 1);
      [vaa, vbb, vab] = [vaa / d, vbb / d, vab / d];
      total += ((2 * ma * mb + c1) * (2 * vab + c2)) / ((ma * ma + mb * mb + c1) * (vaa + vbb + c2));
      count++;
    }
  }
  return total / count;
}

function channelSum(v: Float32Array, g: Geometry): Float64Array {
  return Float64Array.from({ length: g.h * g.w }, (_, q) => {
    let s = 0;
    for (let c = 0; c < g.c; c++) s += v[q * g.c + c];
    return s;
  });
}

/** The similarity of two flattened explanations of an image of geometry `g` (channels summed for SSIM and HOG). */
export function explanationSimilarity(a: Float32Array, b: Float32Array, measure: SimilarityMeasure, g: Geometry): number {
  switch (measure) {
    case 'spearman':
      return spearman(a, b);
    case 'pearson':
      return pearson(a, b);
    case 'ssim':
      return ssim(channelSum(a, g), channelSum(b, g), g.h, g.w);
    case 'hog':
      return pearson(hogFeatures(channelSum(a, g), g.h, g.w), hogFeatures(channelSum(b, g), g.h, g.w));
    default:
      throw new LumenError('option', `similarity must be 'spearman', 'pearson', 'ssim' or 'hog'; found '${String(measure)}'`);
  }
}
