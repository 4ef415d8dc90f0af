/**
 * The figure of an attack on images: one row per example — the clean input labelled with its
 * prediction, the adversarial input labelled with the prediction after the attack, and the
 * perturbation δ = x' − x as a diverging heatmap on its own scale (labelled with ‖δ‖∞).
 */
import { check } from '../core/errors.js';
import type { AttackExplanation } from '../core/explanation.js';
import { formatNumber } from './format.js';
import { grid } from './grid.js';
import { colorize, normalizeAttribution } from './heatmap.js';
import { upscaleNearest, type RgbaBuffer } from './image.js';
import { imageRecordRgba } from './images-grid.js';

/** Options of `attackFigure`. */
export interface AttackFigureOptions {
  /** Class names by index, for the labels (default the indices). */
  readonly classNames?: readonly string[];
  /** At most this many examples (rows; default 16). */
  readonly maxExamples?: number;
  /** Images are upscaled by an integer factor to at least this side (default 84). */
  readonly minSize?: number;
}

/**
 * A grid of clean | adversarial | δ per example of `e` (an attack on [H, W, C] images, C 1 or 3);
 * `clean` holds the clean inputs flattened in the same order as `e.inputs`.
 */
export function attackFigure(e: AttackExplanation, clean: ArrayLike<number>, options: AttackFigureOptions = {}): RgbaBuffer {
  const [h, w, c] = e.shape;
  check(e.shape.length === 3 && (c === 1 || c === 3), 'shape', () => `attackFigure: expected images [H, W, 1|3]; '${e.method}' has inputs of shape [${e.shape}]`);
  const per = h * w * c;
  const n = Math.min(e.predictions.length, options.maxExamples ?? 16);
  check(n > 0, 'input', () => `attackFigure: '${e.method}' has no examples`);
  check(clean.length >= n * per && e.inputs.length >= n * per, 'shape', () => `attackFigure: expected ${n} clean and adversarial inputs of ${per} values; found ${clean.length} and ${e.inputs.length}`);
  const name = (k: number): string => options.classNames?.[k] ?? String(k);
  const factor = Math.max(1, Math.ceil((options.minSize ?? 84) / Math.max(h, w)));
  const cells: RgbaBuffer[] = [];
  const labels: string[] = [];
  const shape = [h, w, c] as const;
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: per }, (_, k) => clean[i * per + k]);
    const adv = e.inputs.slice(i * per, (i + 1) * per);
    const delta = new Float32Array(per);
    let linf = 0;
    for (let k = 0; k < per; k++) {
      delta[k] = adv[k] - x[k];
      linf = Math.max(linf, Math.abs(delta[k]));
    }
    const heat = colorize(normalizeAttribution({ data: delta, height: h, width: w, channels: c }, { sign: 'all', reduce: 'sum' }));
    cells.push(
      upscaleNearest(imageRecordRgba({ label: '', shape, data: x }), factor),
      upscaleNearest(imageRecordRgba({ label: '', shape, data: adv }), factor),
      upscaleNearest(heat, factor),
    );
    labels.push(`clean: ${name(e.originalPredictions[i])}`, `adv: ${name(e.predictions[i])}`, `d max ${formatNumber(linf)}`);
  }
  return grid(cells, { cols: 3, labels });
}
