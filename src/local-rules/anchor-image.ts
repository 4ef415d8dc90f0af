import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { RulesExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { superpixelBatch, type SuperpixelSpec } from '../data/superpixels/superpixel-spec.js';
import { anchorBeam } from './anchor-beam.js';
import { anchorExplanation } from './anchor-explanation.js';
import { resolveAnchorOptions, type AnchorOptions } from './anchor-options.js';
import { imageAnchorSampler, segmentMeans } from './image-anchor-sampler.js';
import { predictedLabels } from './predicted-labels.js';
import { sharedAnchorSearches } from './shared-classifier.js';

/** Options of `anchorImage`: the search's, plus the superpixels and what a switched-off one shows. */
export interface AnchorImageOptions extends AnchorOptions {
  /** The segmentation (`'slic:10'` by default, alibi's 10 SLIC segments), or label maps `[N, H, W]`/`[N, H, W, 1]` of integers 0…K−1. */
  readonly superpixels?: SuperpixelSpec | string | tf.Tensor;
  /** What a switched-off superpixel shows: `'segment-mean'` (default, alibi's) or a constant. */
  readonly background?: 'segment-mean' | number;
  /** Probability that a superpixel outside the anchor is kept in a sample (default 0.5). */
  readonly keepProbability?: number;
}

/**
 * Anchors for images (Ribeiro et al., Anchors: High-Precision Model-Agnostic Explanations, 2018):
 * for each image of `x` `[N, H, W, C]`, the superpixels that, kept while the others are switched
 * off at random, hold the model's prediction with precision ≥ `threshold`. Forward passes only.
 * One rule per image (`superpixel k == kept`); `meta.segments` holds each image's label map, row-major.
 */
export async function anchorImage(model: Model, x: tf.Tensor, options: AnchorImageOptions = {}): Promise<RulesExplanation> {
  const fn = 'anchorImage';
  const o = resolveAnchorOptions(options, fn);
  check(x.rank === 4, 'shape', () => `${fn}: expected images [N, H, W, C]; found shape [${x.shape}]`);
  const [n, h, w, c] = x.shape;
  check(model.inputShape.join(',') === [h, w, c].join(','), 'shape', () => `${fn}: the model takes [${model.inputShape}]; the images are [${[h, w, c]}]`);
  const keep = options.keepProbability ?? 0.5;
  check(typeof keep === 'number' && keep > 0 && keep < 1, 'option', () => `${fn}: keepProbability must be in (0, 1); found ${keep}`);
  const background = options.background ?? 'segment-mean';
  check(background === 'segment-mean' || (typeof background === 'number' && Number.isFinite(background)), 'option', () => `${fn}: background must be 'segment-mean' or a number; found ${String(background)}`);
  const spec = options.superpixels ?? 'slic:10';
  let maps: Int32Array;
  if (spec instanceof tf.Tensor) {
    check(spec.size === n * h * w && spec.shape[0] === n, 'shape', () => `${fn}: superpixels must be label maps [${n}, ${h}, ${w}]; found [${spec.shape}]`);
    maps = Int32Array.from(await spec.data(), (v) => Math.round(v));
  } else {
    const t = superpixelBatch(spec, x);
    maps = Int32Array.from(await t.data());
    t.dispose();
  }
  const pixels = Float32Array.from(await x.data());
  const per = h * w * c;
  const { labels, calls } = await predictedLabels(model, pixels, n, 'float32', o.batchSize);
  const segmentsOf: number[][] = [];
  const samplers = Array.from({ length: n }, (_, i) => {
    const image = pixels.subarray(i * per, (i + 1) * per);
    const map = maps.subarray(i * h * w, (i + 1) * h * w);
    const k = Math.max(...map) + 1;
    check(map.every((v) => v >= 0), 'input', () => `${fn}: superpixel labels must be integers ≥ 0 (image ${i})`);
    const bg = background === 'segment-mean' ? segmentMeans(image, map, k, c) : new Float32Array(per).fill(background);
    segmentsOf.push(Array.from(map));
    return imageAnchorSampler(image, map, k, c, bg, keep);
  });
  const { results: found, calls: searchCalls } = await sharedAnchorSearches(n, model, { dtype: 'float32', batchSize: o.batchSize, inputSize: per, samplesPerPull: o.samplesPerPull },
    (i, classify) => anchorBeam(samplers[i], classify, labels[i], { ...o, seed: o.seed + i }, fn));
  return anchorExplanation('anchors-image', found, (_, f) => [{ feature: `superpixel ${f}`, op: '==', value: 'kept' }], Array.from(labels), o, { labels: Array.from(labels), instanceCalls: calls, modelCalls: calls + searchCalls, segments: segmentsOf, imageShape: [h, w, c], keepProbability: keep });
}
