/** Registry entries of the concepts family (read by src/methods.ts): representation similarity and linear probes. */
import { check } from '../core/errors.js';
import type { ConceptsExplanation, SimilarityExplanation } from '../core/explanation.js';
import type { GlobalMethodInfo, MethodOptions, OptionSpec } from '../core/method-info.js';
import type { Model } from '../core/model.js';
import type { Dataset } from '../core/dataset.js';
import { pairwiseMatrix, type ActivationMatrix } from './activation-matrix.js';
import { canonicalCorrelations } from './cca.js';
import { datasetLabels, layerActivations } from './layer-activations.js';
import { linearCkaMatrix } from './linear-cka.js';
import { linearProbes } from './linear-probe.js';
import { svcca } from './svcca.js';

const layers: OptionSpec = { name: 'layers', type: 'string', doc: "comma-separated layers ('input' for the rows; default every layer of the model)" };
const epsilon: OptionSpec = { name: 'epsilon', type: 'number', default: 1e-10, doc: 'units of rescaled variance below it are dropped; added to the covariance diagonals (svcca’s epsilon)' };

/** The layer list of a call: the option (array or comma-separated text) or every layer of the model. */
export function layerNames(model: Model, value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string' && value.trim()) return value.split(',').map((s) => s.trim()).filter(Boolean);
  return ['input', ...model.layers.map((l) => l.name)];
}

async function activationsOf(model: Model, data: Dataset, options: MethodOptions): Promise<{ names: string[]; acts: ActivationMatrix[] }> {
  const names = layerNames(model, options.layers);
  const byName = await layerActivations(model, data, names, { batchSize: options.batchSize, signal: options.signal });
  return { names, acts: names.map((n) => byName[n]) };
}

const base = { family: 'concepts', scope: 'global', completeness: false, needsGradients: false, inputKinds: ['any'], layer: 'none' } as const;

function similarity(method: string, names: string[], values: number[][], meta: SimilarityExplanation['meta'] = {}): SimilarityExplanation {
  return { kind: 'similarity', method, rows: names, columns: names, values, meta };
}

/** Representation similarity (CKA, CCA, SVCCA) and linear probes, over a Dataset's rows. */
export const CONCEPT_METHODS: readonly GlobalMethodInfo[] = [
  {
    ...base,
    id: 'linear-cka',
    title: 'Linear CKA',
    paper: 'Kornblith et al. 2019',
    summary: 'centred kernel alignment of every pair of layers’ representations of the same rows (1 = the same up to rotation and scale)',
    options: [layers],
    async run(model, data, options = {}) {
      const { names, acts } = await activationsOf(model, data, options);
      return similarity('linear-cka', names, linearCkaMatrix(acts));
    },
  },
  {
    ...base,
    id: 'cca',
    title: 'Canonical correlation analysis',
    paper: 'Hotelling 1936; Raghu et al. 2017 (google/svcca)',
    summary: 'mean canonical correlation of every pair of layers (svcca’s get_cca_similarity); a rank-deficient layer is refused',
    options: [layers, epsilon],
    async run(model, data, options = {}) {
      const { names, acts } = await activationsOf(model, data, options);
      const eps = (options.epsilon as number | undefined) ?? 1e-10;
      return similarity('cca', names, pairwiseMatrix(acts, (a, b) => canonicalCorrelations(a, b, { epsilon: eps }).mean), { epsilon: eps });
    },
  },
  {
    ...base,
    id: 'svcca',
    title: 'SVCCA',
    paper: 'Raghu et al. 2017',
    summary: 'each layer reduced to its top singular directions, then the mean canonical correlation of every pair',
    options: [layers, { name: 'keepDims', type: 'integer', default: 10, doc: 'singular directions kept per layer (at most its units)' }, epsilon],
    async run(model, data, options = {}) {
      const { names, acts } = await activationsOf(model, data, options);
      const keep = (options.keepDims as number | undefined) ?? 10;
      check(Number.isInteger(keep) && keep >= 1, 'option', () => `svcca: keepDims must be a positive integer; found ${keep}`);
      const eps = (options.epsilon as number | undefined) ?? 1e-10;
      const values = pairwiseMatrix(acts, (a, b) => svcca(a, b, { keepDims: [Math.min(keep, a.cols), Math.min(keep, b.cols)], epsilon: eps }).mean);
      return similarity('svcca', names, values, { keepDims: keep, epsilon: eps });
    },
  },
  {
    ...base,
    id: 'linear-probe',
    title: 'Linear probes',
    paper: 'Alain & Bengio 2016',
    summary: 'a logistic regression per layer predicting the labels; held-out accuracy by depth',
    options: [
      layers,
      { name: 'C', type: 'number', default: 1, doc: 'inverse L2 strength (scikit-learn’s C)' },
      { name: 'heldoutFraction', type: 'number', default: 0.3, doc: 'rows held out to score each probe (a seeded stratified split)' },
      { name: 'seed', type: 'integer', default: 0, doc: 'seed of the split' },
    ],
    async run(model, data, options = {}) {
      const { names, acts } = await activationsOf(model, data, options);
      const labels = await datasetLabels(data, 'linear-probe');
      const probes = linearProbes(names, acts, labels, { C: options.C as number | undefined, heldoutFraction: options.heldoutFraction as number | undefined, seed: options.seed as number | undefined });
      const explanation: ConceptsExplanation = {
        kind: 'concepts',
        method: 'linear-probe',
        scores: probes.map((p) => ({ concept: 'labels', layer: p.layer, score: p.heldoutAccuracy })),
        meta: { trainAccuracy: probes.map((p) => p.trainAccuracy), heldoutRows: probes[0]?.heldoutRows ?? 0 },
      };
      return explanation;
    },
  },
];

