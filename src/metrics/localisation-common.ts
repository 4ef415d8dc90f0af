/** The entry shared by the localisation metrics: attributions per pixel and ground-truth masks. */
import type * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import type { AttributionPreprocessing, AttributionSource, MetricOptions } from './result.js';
import { geometryOf, pixelAttributions, prepareMetric, splitRows, type MetricContext } from './shared.js';

/** Options of the localisation metrics. */
export interface LocalisationOptions extends MetricOptions, AttributionPreprocessing {
  /** Ground truth: 1 where the evidence is, `[N, H, W]`, `[N, H, W, 1]` or the input's shape `[N, H, W, C]`. */
  readonly masks: tf.Tensor;
}

/** Per example: the attribution of every pixel (summed over channels) and the mask (0/1). */
export interface LocalisationInputs {
  readonly ctx: MetricContext;
  readonly a: Float64Array[];
  readonly s: Uint8Array[];
}

/**
 * Checks the masks (one value per pixel, `[N, H, W]` or `[N, H, W, 1]`, or one per input scalar:
 * a pixel is in the mask when any of its channels is), pre-processes the attributions (`abs` as
 * each metric's paper says) and sums channels (attributions reduced over channels are taken as they are).
 */
export async function localisationInputs(
  model: Model, input: tf.Tensor, attributions: AttributionSource, options: LocalisationOptions, fn: string, abs: boolean,
): Promise<LocalisationInputs> {
  const ctx = await prepareMetric(model, input, options, fn);
  check(options.masks !== undefined && typeof options.masks === 'object' && 'size' in options.masks, 'option', () => `${fn}: needs options.masks, the ground-truth masks [N, H, W]`);
  const g = geometryOf(model, ctx.features);
  const pixels = g.h * g.w;
  const m = options.masks;
  check(m.size === ctx.n * pixels || m.size === ctx.n * ctx.features, 'shape', () =>
    `${fn}: masks must be [${ctx.n}, ${g.h}, ${g.w}] (one value per pixel) or the input's shape; found [${m.shape}]`);
  const rows = splitRows(await m.data(), ctx.n);
  const s = rows.map((r) => {
    const px = new Uint8Array(pixels);
    const per = r.length / pixels;
    for (let q = 0; q < pixels; q++) for (let c = 0; c < per; c++) if (r[q * per + c] > 0) px[q] = 1;
    return px;
  });
  const a = await pixelAttributions(ctx, input, attributions, options, { normalise: 'example', abs });
  return { ctx, a, s };
}
