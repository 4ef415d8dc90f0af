import * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../core/attribution.js';
import { barChartPng, barChartSvg } from '../render/bar-chart.js';
import { withColorBar } from '../render/color-bar.js';
import { colorize, defaultColormap, normalizeAttribution, type SignMode } from '../render/heatmap.js';
import { createRgba, upscaleNearest, type FloatImage, type RgbaBuffer } from '../render/image.js';
import { overlay } from '../render/overlay.js';
import type { ModelInput } from './load-input.js';

/** One example's pictures of an attribution: images get a heatmap and an overlay, tables a bar chart. */
export interface ExampleFigure {
  /** The input image, shown at display size (image models). */
  readonly input?: RgbaBuffer;
  /** The attribution as a heatmap at display size, with a colour bar of its scale under it (image models). */
  readonly heat?: RgbaBuffer;
  /** The heatmap blended over the input (image models). */
  readonly blend?: RgbaBuffer;
  /** A signed bar chart of the attribution per feature (tabular or flat layer attributions). */
  readonly bars?: { readonly png: RgbaBuffer; readonly svg: string };
}

/** The integer display magnification that makes a small image about `target` pixels wide. */
export function displayScale(width: number, target = 168): number {
  return Math.max(1, Math.round(target / width));
}

/** An [H, W, 1|3] image in [0, 1] as opaque RGBA. */
export function imageToRgba(img: FloatImage): RgbaBuffer {
  const c = img.channels ?? 1;
  const out = createRgba(img.width, img.height);
  for (let p = 0; p < img.width * img.height; p++) {
    for (let k = 0; k < 3; k++) {
      const v = img.data[p * c + (c === 1 ? 0 : k)];
      out.data[4 * p + k] = Math.round(255 * Math.min(1, Math.max(0, v)));
    }
    out.data[4 * p + 3] = 255;
  }
  return out;
}

/** Whether an attribution is unsigned (all values ≥ 0), so a sequential colour map suits it. */
function unsigned(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] < 0) return false;
  return true;
}

/**
 * Captum's default `outlier_perc` for heatmaps: the scale is where the sorted magnitudes' cumulative
 * sum reaches 98 % of the total, so one extreme pixel does not leave the rest of the map blank.
 */
export const DEFAULT_CLIP_PERCENT = 2;

/** Options of `attributionFigures`. */
export interface FigureOptions {
  /** Captum's `outlier_perc` (`--clip-percentile`): percent of the attribution mass clipped; 0 scales by the maximum. Default 2. */
  readonly clipPercent?: number;
}

/**
 * One heatmap panel as the CLI draws it: scaled like Captum's `visualize_image_attr` (clipping
 * `clipPercent` % of the mass as outliers; 0 scales by the maximum), upscaled, with a colour bar of
 * the scale under it. Returns the panel and the scale (for overlays on the same scale).
 */
export function heatmapPanel(map: FloatImage, sign: SignMode, upscale: number, clipPercent = DEFAULT_CLIP_PERCENT): { panel: RgbaBuffer; scale: number } {
  const norm = normalizeAttribution(map, { sign, reduce: 'sum', ...(clipPercent > 0 ? { outlierPerc: clipPercent } : {}) });
  const cmap = defaultColormap(sign);
  return { panel: withColorBar(upscaleNearest(colorize(norm, cmap), upscale), cmap, sign, norm.scale), scale: norm.scale };
}

/**
 * The attribution of image inputs as one map per example with the input's height and width: a map
 * of the input's size as it is, a spatial layer map ([N, h, w, c] or [N, h, w]) summed over
 * channels and resized (bilinear) to the input; with the sign mode that suits it ('absolute' when
 * no value is negative). Undefined for non-image inputs or flat attributions.
 */
export async function attributionMaps(attribution: Attribution, input: ModelInput): Promise<{ maps: FloatImage[]; sign: SignMode } | undefined> {
  const values = attribution.values;
  if (!input.images || values.rank < 3) return undefined;
  const n = values.shape[0];
  const { height, width } = input.images[0];
  const maps = tf.tidy(() => {
    const v = values.rank === 3 ? values.expandDims(-1) : values;
    const spatial = v.shape[1] === height && v.shape[2] === width ? v : tf.image.resizeBilinear(v.sum(-1, true) as tf.Tensor4D, [height, width], false, true);
    return spatial.reshape([n, height, width, -1]);
  });
  const data = await maps.data();
  const channels = maps.shape[3] as number;
  maps.dispose();
  const sign: SignMode = unsigned(data) ? 'absolute' : 'all';
  const per = height * width * channels;
  return { maps: Array.from({ length: n }, (_, i) => ({ data: data.subarray(i * per, (i + 1) * per), height, width, channels })), sign };
}

/**
 * Pictures of every example of `attribution`: a map with the input's height and width is shown
 * as it is; a spatial layer map ([N, h, w, c] or [N, h, w]) is summed over channels and resized
 * (bilinear) to the input; a flat one ([N, F]) becomes a bar chart named by the input's features.
 * Heatmaps are scaled like Captum's `visualize_image_attr` (`outlier_perc`, default 2 %) and carry
 * a colour bar with the scale.
 */
export async function attributionFigures(attribution: Attribution, input: ModelInput, title: string, options: FigureOptions = {}): Promise<ExampleFigure[]> {
  const clip = options.clipPercent ?? DEFAULT_CLIP_PERCENT;
  const values = attribution.values;
  const n = values.shape[0];
  const spatial = await attributionMaps(attribution, input);
  if (spatial && input.images) {
    const { maps, sign } = spatial;
    const scale = displayScale(maps[0].width);
    return input.images.map((image, i) => {
      const map = maps[i];
      const heat = heatmapPanel(map, sign, scale, clip);
      const fixed = heat.scale > 0 ? { scale: heat.scale } : {};
      return {
        input: upscaleNearest(imageToRgba(image), scale),
        heat: heat.panel,
        blend: upscaleNearest(overlay(image, map, { style: 'blend', sign, reduce: 'sum', alpha: 0.75, alphaByMagnitude: true, ...fixed }), scale),
      };
    });
  }
  const flat = tf.tidy(() => values.reshape([n, -1]));
  const data = await flat.data();
  const per = flat.shape[1] as number;
  flat.dispose();
  const names = input.featureNames && input.featureNames.length === per ? input.featureNames : Array.from({ length: per }, (_, k) => `unit ${k}`);
  return Array.from({ length: n }, (_, i) => {
    const row = data.subarray(i * per, (i + 1) * per);
    const opts = { title: `${title} - example ${i}`, maxFeatures: 20, sort: 'abs' as const };
    return { bars: { png: barChartPng(names, row, opts), svg: barChartSvg(names, row, opts) } };
  });
}
