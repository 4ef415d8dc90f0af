/** Registry entries of network dissection (read by src/methods.ts); the data must carry pixel-level concept masks. */
import { check } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { GlobalMethodInfo, MethodOptions } from '../core/method-info.js';
import { defaultSpatialLayer } from '../featureviz/default-layer.js';
import { dissectionExplanation } from './dissection-explanation.js';
import { networkDissection, type ConceptMaskDataset } from './network-dissection.js';
import { net2vec, net2vecScores, type Net2VecTask } from './net2vec.js';
import type { ConceptsExplanation } from '../core/explanation.js';

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

/** Network dissection and Net2Vec. */
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
  {
    id: 'net2vec',
    title: 'Net2Vec concept embeddings',
    family: 'concepts',
    scope: 'global',
    completeness: false,
    inputKinds: ['image'],
    paper: 'Fong & Vedaldi 2018',
    summary: "each concept as a learnt weighting of a layer's filters (segmentation or classification); scored by IoU or accuracy, on held-out masks when given",
    needsGradients: false,
    layer: 'optional',
    options: [
      { name: 'layer', type: 'string', doc: 'the layer (default the last non-pooling layer with maps [H, W, C])' },
      { name: 'task', type: 'enum', values: ['segmentation', 'classification'], default: 'segmentation', doc: 'per-pixel masks (scored by set IoU) or per-image presence (accuracy)' },
      { name: 'epochs', type: 'integer', default: 30, doc: 'passes over the data (the paper\'s 30)' },
      { name: 'learningRate', type: 'number', default: 0.01, doc: "Adam's learning rate" },
      { name: 'batchSize', type: 'integer', default: 64, doc: 'images per step' },
      { name: 'seed', type: 'integer', doc: 'seed of the initial weights' },
      { name: 'heldOut', type: 'string', doc: 'library only: a ConceptMaskDataset to score on (default: the training data, said in meta.scoredOn)' },
    ],
    async run(model, data, options = {}): Promise<ConceptsExplanation> {
      const fn = 'net2vec';
      const masks = maskData(data, options, fn);
      const layer = typeof options.layer === 'string' ? options.layer : defaultSpatialLayer(model, fn);
      const held = options.heldOut === undefined ? undefined : options.heldOut;
      check(held === undefined || isConceptMaskDataset(held), 'option', () => `${fn}: heldOut must be a ConceptMaskDataset (images with concept masks); found ${typeof held}`);
      const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));
      const task = (options.task ?? 'segmentation') as Net2VecTask;
      const e = await net2vec(model, masks, layer, {
        task,
        ...(num(options.epochs) !== undefined ? { epochs: num(options.epochs) } : {}),
        ...(num(options.learningRate) !== undefined ? { learningRate: num(options.learningRate) } : {}),
        ...(num(options.batchSize) !== undefined ? { batchSize: num(options.batchSize) } : {}),
        ...(num(options.seed) !== undefined ? { seed: num(options.seed) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const s = await net2vecScores(model, e, held ?? masks);
      return {
        kind: 'concepts',
        method: 'net2vec',
        scores: e.concepts.map((concept, i) => ({ concept, score: s.scores[i], layer })),
        meta: { layer, task, metric: task === 'segmentation' ? 'set IoU at M ≥ 0.5' : 'accuracy', scoredOn: held ? 'held-out' : 'training', weights: e.weights.map((w) => [...w]), bias: [...e.bias], alpha: [...e.alpha], loss: e.loss },
      };
    },
  },
];
