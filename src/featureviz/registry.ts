/**
 * Registry entries of the feature-visualisation family (read by src/methods.ts): a layer's channel
 * grid or a class's image by optimisation, top-activating dataset examples and first-layer filters,
 * all as `'images'` explanations so the demo, the report and the dashboard show them as grids.
 */
import { check } from '../core/errors.js';
import type { GlobalMethodInfo, MethodOptions } from '../core/method-info.js';
import { datasetImages } from './dataset-images.js';
import { defaultSpatialLayer } from './default-layer.js';
import { featureVisualization } from './feature-visualization.js';
import { featureVisualizationImages } from './feature-visualization-images.js';
import { firstLayerFilters } from './first-layer-filters.js';
import { classObjective } from './objective.js';
import { topActivatingExamples } from './top-activating-examples.js';
import { visualizeChannels } from './visualize-channels.js';

/** A list option given as numbers or a comma-separated string; undefined stays undefined. */
function integers(v: unknown, name: string, fn: string): number[] | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v.map(Number) : String(v).split(',').map((s) => Number(s.trim()));
  check(list.length > 0 && list.every((n) => Number.isInteger(n) && n >= 0), 'option', () => `${fn}: ${name} must be non-negative integers; found ${JSON.stringify(v)}`);
  return list;
}

function layerOf(model: Parameters<GlobalMethodInfo['run']>[0], options: MethodOptions, fn: string): string {
  return typeof options.layer === 'string' ? options.layer : defaultSpatialLayer(model, fn);
}

const base = { family: 'featureviz', scope: 'global', completeness: false, inputKinds: ['image'] } as const;

/** Feature visualisation, top-activating examples and first-layer filters. */
export const FEATUREVIZ_METHODS: readonly GlobalMethodInfo[] = [
  {
    ...base,
    id: 'feature-visualization',
    title: 'Feature visualisation',
    paper: 'Olah et al. 2017 (Lucid)',
    summary: "images optimised (Adam, Fourier basis, Lucid's transforms) to maximise each channel of a layer, or a class logit",
    needsGradients: true,
    layer: 'optional',
    options: [
      { name: 'layer', type: 'string', doc: "every channel of this layer, one image each (default the last non-pooling layer with maps [H, W, C])" },
      { name: 'channels', type: 'string', doc: 'only these channels (comma-separated; default all)' },
      { name: 'class', type: 'integer', doc: "visualise this class's logit instead of a layer's channels" },
      { name: 'steps', type: 'integer', default: 512, doc: "Adam steps (Lucid's 512)" },
      { name: 'learningRate', type: 'number', default: 0.05, doc: "Adam's learning rate (Lucid's 0.05)" },
      { name: 'param', type: 'enum', values: ['fourier', 'pixels'], default: 'fourier', doc: 'the image parameterisation' },
    ],
    async run(model, _data, options = {}) {
      const fn = 'feature-visualization';
      const common = {
        steps: (options.steps as number | undefined) ?? 512,
        learningRate: (options.learningRate as number | undefined) ?? 0.05,
        seed: (options.seed as number | undefined) ?? 0,
        param: { basis: ((options.param as string | undefined) ?? 'fourier') as 'fourier' | 'pixels' },
        ...(options.signal ? { signal: options.signal } : {}),
      };
      check(common.param.basis === 'fourier' || common.param.basis === 'pixels', 'option', () => `${fn}: param must be fourier or pixels; found '${common.param.basis}'`);
      if (options.class !== undefined) {
        const cls = Number(options.class);
        check(Number.isInteger(cls) && cls >= 0, 'option', () => `${fn}: class must be a non-negative integer; found ${JSON.stringify(options.class)}`);
        const r = await featureVisualization(model, classObjective(cls), common);
        try {
          const e = await featureVisualizationImages(r, [`class ${cls}`]);
          return { ...e, meta: { ...e.meta, steps: common.steps } };
        } finally {
          r.dispose();
        }
      }
      const channels = integers(options.channels, 'channels', fn);
      const e = await visualizeChannels(model, layerOf(model, options, fn), { ...common, ...(channels ? { channels } : {}) });
      return { ...e, meta: { ...e.meta, steps: common.steps } };
    },
  },
  {
    ...base,
    id: 'top-activating-examples',
    title: 'Top-activating dataset examples',
    paper: 'Zeiler & Fergus 2014; Olah et al. 2017',
    summary: 'per channel of a layer, the dataset images that activate it most (streamed, bounded heaps)',
    needsGradients: false,
    layer: 'optional',
    options: [
      { name: 'layer', type: 'string', doc: 'the layer (default the last non-pooling layer with maps [H, W, C])' },
      { name: 'units', type: 'string', doc: 'only these channels (comma-separated; default all)' },
      { name: 'k', type: 'integer', default: 9, doc: 'images per channel' },
      { name: 'reduce', type: 'enum', values: ['max', 'mean'], default: 'max', doc: "a channel's score per image: max or mean over positions" },
    ],
    async run(model, data, options = {}) {
      const fn = 'top-activating-examples';
      const units = integers(options.units, 'units', fn);
      const layer = layerOf(model, options, fn);
      const e = await topActivatingExamples(model, data, layer, {
        ...(options.k !== undefined ? { k: Number(options.k) } : {}),
        ...(options.reduce !== undefined ? { reduce: options.reduce as 'max' | 'mean' } : {}),
        ...(units ? { units } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const images = await datasetImages(data, e.examples.map((x) => x.index), e.examples.map((x) => `${layer}:${x.query} row ${x.index}`));
      return { kind: 'images', method: 'top-activating-examples', images, meta: { ...e.meta, examples: e.examples.map((x) => ({ unit: x.query ?? null, index: x.index, score: x.score })) } };
    },
  },
  {
    ...base,
    id: 'first-layer-filters',
    title: 'First-layer filters',
    paper: 'Krizhevsky et al. 2012; Zeiler & Fergus 2014',
    summary: "the first convolution's kernels as images (0 at grey)",
    needsGradients: false,
    layer: 'optional',
    options: [
      { name: 'layer', type: 'string', doc: "the convolution (default the model's first)" },
      { name: 'shared', type: 'boolean', default: false, doc: 'one scale for every filter instead of one per filter' },
    ],
    async run(model, _data, options = {}) {
      return firstLayerFilters(model, { ...(typeof options.layer === 'string' ? { layer: options.layer } : {}), ...(options.shared !== undefined ? { shared: Boolean(options.shared) } : {}) });
    },
  },
];
