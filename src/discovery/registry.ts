/** Registry entries of concept discovery (read by src/methods.ts): CRAFT-style NMF concepts ranked by TCAV-style importance. */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import type { GlobalMethodInfo } from '../core/method-info.js';
import { defaultSpatialLayer } from '../featureviz/default-layer.js';
import { craftConcepts } from './craft.js';
import { craftImages } from './craft-images.js';

function int(v: unknown): number | undefined {
  return v === undefined ? undefined : Number(v);
}

/** CRAFT. */
export const DISCOVERY_METHODS: readonly GlobalMethodInfo[] = [
  {
    id: 'craft',
    title: 'CRAFT concept discovery',
    family: 'concepts',
    scope: 'global',
    completeness: false,
    inputKinds: ['image'],
    paper: 'Fel et al. 2023; Kim et al. 2018 (ranking)',
    summary: "NMF of a layer's activations over crops of one class's images; concepts ranked by TCAV score, shown by their top crops",
    needsGradients: true,
    layer: 'optional',
    options: [
      { name: 'class', type: 'integer', doc: 'the class whose images are factorised (default the class of the first row: its label, else the prediction)' },
      { name: 'layer', type: 'string', doc: 'a layer with non-negative maps (default the last non-pooling layer with maps [H, W, C])' },
      { name: 'concepts', type: 'integer', default: 5, doc: 'concepts to discover (the NMF rank)' },
      { name: 'patchSize', type: 'integer', doc: "side of a crop (default half the input's shorter side)" },
      { name: 'stride', type: 'integer', doc: 'step between crops (default half the patch size)' },
      { name: 'maxImages', type: 'integer', default: 200, doc: 'images of the class used at most' },
      { name: 'topCrops', type: 'integer', default: 8, doc: 'crops shown per concept' },
    ],
    async run(model, data, options = {}) {
      let cls = int(options.class);
      if (cls === undefined) {
        for await (const { x, y } of data.batches(1)) {
          const out = tf.tidy(() => (y ? y.clone() : tf.argMax(model.run(x).output, -1)));
          cls = Math.round((await out.data())[0]);
          out.dispose();
          x.dispose();
          y?.dispose();
          break;
        }
      }
      check(cls !== undefined, 'input', () => 'craft: the dataset has no rows');
      const r = await craftConcepts(model, data, {
        class: cls,
        layer: typeof options.layer === 'string' ? options.layer : defaultSpatialLayer(model, 'craft'),
        ...(options.concepts !== undefined ? { concepts: int(options.concepts) } : {}),
        ...(options.patchSize !== undefined ? { patchSize: int(options.patchSize) } : {}),
        ...(options.stride !== undefined ? { stride: int(options.stride) } : {}),
        ...(options.maxImages !== undefined ? { maxImages: int(options.maxImages) } : {}),
        ...(options.topCrops !== undefined ? { topCrops: int(options.topCrops) } : {}),
        ...(options.seed !== undefined ? { seed: int(options.seed) } : {}),
      });
      return craftImages(r, data);
    },
  },
];
