import type { ImagesExplanation } from '../core/explanation.js';
import type { FeatureVisualization } from './feature-visualization.js';

/**
 * A feature visualisation (Olah et al. 2017) as an `'images'` explanation: each optimised image
 * `[H, W, C]` in [0, 1] with its label (default `"<objective> #i"`); `meta` keeps the objective and
 * its trajectory. The result stays the caller's to dispose.
 */
export async function featureVisualizationImages(r: FeatureVisualization, labels?: readonly string[]): Promise<ImagesExplanation> {
  const [n, h, w, c] = r.images.shape;
  const data = await r.images.data();
  const per = h * w * c;
  const images = Array.from({ length: n }, (_, i) => ({
    label: labels?.[i] ?? (n === 1 ? r.objective : `${r.objective} #${i}`),
    shape: [h, w, c] as [number, number, number],
    data: Array.from(data.subarray(i * per, (i + 1) * per)),
  }));
  return { kind: 'images', method: 'feature-visualization', images, meta: { objective: r.objective, values: r.values.map(([s, v]) => [s, v]) } };
}
