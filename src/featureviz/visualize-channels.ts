/**
 * A feature visualisation of every channel of a layer at once (Olah et al. 2017; Lucid's
 * "channel grid"): one batch of images, image i optimised for channel i's mean activation
 * (`channelObjective(layer, i, {batch: i})`, summed), so the whole layer is one optimisation with
 * one model call per step. Returns an `'images'` explanation, ready for a grid.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { ImagesExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { featureVisualization, type FeatureVisualizationOptions } from './feature-visualization.js';
import { featureVisualizationImages } from './feature-visualization-images.js';
import { channelObjective, sumObjectives } from './objective.js';

/** Options of `visualizeChannels`: featureVisualization's (but `batch`), and the channels (default all). */
export interface VisualizeChannelsOptions extends Omit<FeatureVisualizationOptions, 'batch'> {
  readonly channels?: readonly number[];
}

/**
 * Optimises one image per channel of `layer` (see the file comment). `meta.activations[i]` is
 * channel i's mean activation on its own final image, `meta.meanOthers[i]` the mean of the other
 * visualised channels' on it.
 */
export async function visualizeChannels(model: Model, layer: string, options: VisualizeChannelsOptions = {}): Promise<ImagesExplanation> {
  const info = model.layers.find((l) => l.name === layer);
  check(info !== undefined, 'layer', () => `visualizeChannels: expected a layer of ${model.layers.map((l) => l.name).join(', ')}; found '${layer}'`);
  const count = info.outputShape[info.outputShape.length - 1] as number;
  const channels = options.channels ?? Array.from({ length: count }, (_, c) => c);
  check(channels.length > 0 && channels.every((c) => Number.isInteger(c) && c >= 0 && c < count), 'option', () => `visualizeChannels: channels must be integers in [0, ${count}); found [${channels}]`);
  const objective = sumObjectives(channels.map((ch, i) => [channelObjective(layer, ch, { batch: i }), 1] as const));
  const r = await featureVisualization(model, objective, { ...options, batch: channels.length });
  try {
    const means = tf.tidy(() => {
      const act = model.run(r.images, { capture: [layer] }).captured[layer];
      const perImage = act.rank === 4 ? tf.mean(act, [1, 2]) : act;
      return tf.gather(perImage, tf.tensor1d(Int32Array.from(channels), 'int32'), 1);
    });
    const m = await means.data();
    means.dispose();
    const k = channels.length;
    const activations = channels.map((_, i) => m[i * k + i]);
    const meanOthers = channels.map((_, i) => (k > 1 ? (Array.from(m.subarray(i * k, (i + 1) * k)).reduce((a, b) => a + b, 0) - m[i * k + i]) / (k - 1) : 0));
    const e = await featureVisualizationImages(r, channels.map((ch) => `${layer}:${ch}`));
    return { ...e, meta: { ...e.meta, layer, channels: [...channels], activations, meanOthers } };
  } finally {
    r.dispose();
  }
}
