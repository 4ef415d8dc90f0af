/** Registry entries of network dissection (read by src/methods.ts); the data must carry pixel-level concept masks. */
import { check } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { GlobalMethodInfo, MethodOptions } from '../core/method-info.js';
import { defaultSpatialLayer } from '../featureviz/default-layer.js';
import { dissectionExplanation } from './dissection-explanation.js';
import { networkDissection, type ConceptMaskDataset } from './network-dissection.js';

/** Whether `v` looks like a ConceptMaskDataset (concept names and streamed batches). */
export function isConceptMaskDataset(v: unknown): v is ConceptMaskDataset {
  const d = v as Partial<ConceptMaskDataset> | null;
  return typeof d === 'object' && d !== null && Array.isArray(d.concepts) && typeof d.batches === 'function' && typeof d.size === 'number';
}

/** The concept-mask data of a call: the `masks` option, or the data itself when it carries masks. */
function maskData(data: Dataset, options: MethodOptions, fn: string): ConceptMaskDataset {
  const m = options.masks ?? data;
  check(isConceptMaskDataset(m), 'input', () => `${fn}: needs images with pixel-level concept masks (a ConceptMaskDataset such as shapesMaskDataset, as the data or the 'masks' option); found a dataset without concept masks`);
  return m;
}

/** Network dissection. */
export const DISSECTION_METHODS: readonly GlobalMethodInfo[] = [
  {
    id: 'network-dissection',
    title: 'Network dissection',
    family: 'concepts',
    scope: 'global',
    completeness: false,
    inputKinds: ['image'],
    paper: 'Bau et al. 2017',
    summary: "each unit thresholded at its top 0.5 % activation over the dataset, upsampled to the masks; its best concept by dataset-wide IoU",
    needsGradients: false,
    layer: 'optional',
    options: [
      { name: 'layer', type: 'string', doc: 'the layer (default the last non-pooling layer with maps [H, W, C])' },
      { name: 'quantile', type: 'number', default: 0.005, doc: "share of a unit's activations above its threshold (the paper's 0.5 %)" },
    ],
    async run(model, data, options = {}) {
      const fn = 'network-dissection';
      const masks = maskData(data, options, fn);
      const layer = typeof options.layer === 'string' ? options.layer : defaultSpatialLayer(model, fn);
      const d = await networkDissection(model, masks, layer, options.quantile !== undefined ? { quantile: Number(options.quantile) } : {});
      return dissectionExplanation(d);
    },
  },
];
