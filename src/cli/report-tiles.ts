/**
 * What the HTML reports of `lumen demo` and `lumen explain --report` show first: per example the
 * model's prediction (label and probability) and, per method, a tile of large images — the
 * heatmap (Captum's `visualize_image_attr` scaling, `outlier_perc`) beside the input and a
 * blended heat map (a transparent colour map, opacity by |attribution|, over the darkened grey
 * input, as Captum's `blended_heat_map`), with a colour bar of the scale; tabular rows get a bar chart.
 */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { Attribution } from '../core/attribution.js';
import { outputKindOf, type Model } from '../core/model.js';
import { barChartSvg } from '../render/bar-chart.js';
import { colorize, defaultColormap, normalizeAttribution } from '../render/heatmap.js';
import { overlay } from '../render/overlay.js';
import { pngDataUri } from '../render/png.js';
import type { ReportColorBar, ReportImage, ReportTile } from '../render/report-examples.js';
import { colormap } from '../render/colormap.js';
import { formatNumber } from '../render/format.js';
import { createRgba } from '../render/image.js';
import type { SignMode } from '../render/heatmap.js';
import { attributionMaps, DEFAULT_CLIP_PERCENT, imageToRgba } from './figures.js';
import type { ModelInput } from './load-input.js';

/** The least display width of a report image, in CSS pixels. */
export const REPORT_IMAGE_PX = 224;

/** The display width of a `width`-pixel image: an integer multiple ≥ 224 (crisp pixel art) for small images, else its own width. */
export function reportDisplayWidth(width: number): number {
  return width >= REPORT_IMAGE_PX ? width : width * Math.ceil(REPORT_IMAGE_PX / width);
}

/** A colour bar for a map normalised with `scale` under `sign` (heatmap.ts): the strip of `colormapName` and its end values. */
export function reportColorBar(colormapName: string, sign: SignMode, scale: number): ReportColorBar {
  check(Number.isFinite(scale) && scale >= 0, 'numeric', () => `reportColorBar: scale must be a finite number ≥ 0; found ${scale}`);
  const { lut } = colormap(colormapName);
  const strip = createRgba(256, 1);
  for (let x = 0; x < 256; x++) {
    strip.data.set([lut[3 * x]!, lut[3 * x + 1]!, lut[3 * x + 2]!, 255], 4 * x);
  }
  const s = formatNumber(scale, 3);
  return sign === 'all'
    ? { src: pngDataUri(strip), low: scale > 0 ? `−${s}` : '0', middle: '0', high: s }
    : { src: pngDataUri(strip), low: '0', high: sign === 'negative' ? `−${s}` : s };
}

/** How far the blended heat map darkens the grey input under the colours. */
const DARKEN = 0.6;

/** The model's prediction of each example: "predicted 7 · p = 0.998" (softmax of logits; a model's own probabilities as they are). */
export async function predictionTexts(model: Model, batch: tf.Tensor, classNames?: readonly string[]): Promise<string[]> {
  const out = await model.predict(batch);
  const data = Array.from(await out.data());
  const n = out.shape[0];
  out.dispose();
  const per = data.length / n;
  const probabilities = outputKindOf(model) === 'probabilities';
  return Array.from({ length: n }, (_, i) => {
    const row = data.slice(i * per, (i + 1) * per);
    const best = row.indexOf(Math.max(...row));
    const name = classNames?.[best] ?? String(best);
    if (per === 1 && !probabilities) return `output ${row[0].toPrecision(4)}`;
    let p = row[best];
    if (!probabilities) {
      const m = row[best];
      p = 1 / row.reduce((s, v) => s + Math.exp(v - m), 0);
    }
    return `predicted ${name} · p = ${p.toFixed(3)}`;
  });
}

function image(rgba: Parameters<typeof pngDataUri>[0], alt: string, label?: string): ReportImage {
  return { src: pngDataUri(rgba), alt, ...(label ? { label } : {}), width: reportDisplayWidth(rgba.width), pixelated: rgba.width < REPORT_IMAGE_PX };
}

/** The input of each image example as a tile (undefined entries for non-image inputs). */
export function inputTiles(input: ModelInput, titles: readonly string[]): (ReportTile | undefined)[] {
  return titles.map((t, i) => {
    const img = input.images?.[i];
    return img ? { caption: 'input', images: [image(imageToRgba(img), t)] } : undefined;
  });
}

/**
 * One tile per example of `attribution` (caption `caption`, note `note`): image inputs get the
 * heatmap and the blended heat map with a colour bar; other inputs a bar chart of the top features.
 */
export async function attributionTiles(attribution: Attribution, input: ModelInput, caption: string, note?: string, clipPercent = DEFAULT_CLIP_PERCENT): Promise<ReportTile[]> {
  const spatial = await attributionMaps(attribution, input);
  if (spatial && input.images) {
    const { maps, sign } = spatial;
    const cmap = defaultColormap(sign);
    return maps.map((map, i) => {
      const norm = normalizeAttribution(map, { sign, reduce: 'sum', ...(clipPercent > 0 ? { outlierPerc: clipPercent } : {}) });
      const fixed = norm.scale > 0 ? { scale: norm.scale } : {};
      const blended = overlay(input.images![i], map, { style: 'blended_heat_map', sign, reduce: 'sum', alpha: 0.85, alphaByMagnitude: true, darken: DARKEN, ...fixed });
      return {
        caption,
        ...(note ? { note } : {}),
        images: [image(colorize(norm, cmap), `${caption}: heatmap`, 'heatmap'), image(blended, `${caption}: over the input`, 'over the darkened input')],
        colorBar: reportColorBar(cmap, sign, norm.scale),
      };
    });
  }
  const n = attribution.values.shape[0];
  const flat = tf.tidy(() => attribution.values.reshape([n, -1]));
  const data = await flat.data();
  const per = flat.shape[1] as number;
  flat.dispose();
  const names = input.featureNames && input.featureNames.length === per ? input.featureNames : Array.from({ length: per }, (_, k) => `unit ${k}`);
  return Array.from({ length: n }, (_, i) => ({
    caption,
    ...(note ? { note } : {}),
    svg: barChartSvg(names, data.subarray(i * per, (i + 1) * per), { title: caption, maxFeatures: 12, sort: 'abs' }),
  }));
}
