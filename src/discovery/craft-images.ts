import type { Dataset } from '../core/dataset.js';
import type { ImagesExplanation } from '../core/explanation.js';
import { datasetImages } from '../featureviz/dataset-images.js';
import type { CraftResult } from './craft.js';

/**
 * A CRAFT result (Fel et al. 2023) as an `'images'` explanation: each concept's top crops, cut from
 * the dataset's images at their own resolution, concepts in rank order (label `c<rank> #<k>`);
 * `meta.concepts` keeps each concept's TCAV score, magnitude, mean derivative, direction and crops.
 */
export async function craftImages(r: CraftResult, data: Dataset): Promise<ImagesExplanation> {
  const rows = [...new Set(r.concepts.flatMap((c) => c.topCrops.map((k) => k.row)))];
  const full = await datasetImages(data, rows, rows.map(String));
  const byRow = new Map(rows.map((row, i) => [row, full[i]]));
  const images = r.concepts.flatMap((c, rank) => c.topCrops.map((k, j) => {
    const img = byRow.get(k.row)!;
    const [, w, ch] = img.shape;
    const data: number[] = [];
    for (let y = k.y; y < k.y + k.size; y++) data.push(...img.data.slice((y * w + k.x) * ch, (y * w + k.x + k.size) * ch));
    return { label: `c${rank + 1} #${j + 1}`, shape: [k.size, k.size, ch] as [number, number, number], data };
  }));
  return {
    kind: 'images',
    method: 'craft',
    images,
    meta: {
      layer: r.layer,
      class: r.class,
      images: r.images,
      crops: r.crops,
      relativeError: r.relativeError,
      nmfIterations: r.nmfIterations,
      concepts: r.concepts.map((c, rank) => ({
        rank: rank + 1,
        index: c.index,
        tcavScore: c.tcavScore,
        magnitude: c.magnitude,
        meanDerivative: c.meanDerivative,
        direction: [...c.direction],
        crops: c.topCrops.map((k) => ({ row: k.row, y: k.y, x: k.x, size: k.size, weight: k.weight })),
      })),
    },
  };
}
