/** Registry entries of the example-based family (read by src/methods.ts): neighbours, influence, TracIn, prototypes. */
import * as tf from '@tensorflow/tfjs';
import { snapshotCheckpoint, disposeCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import { check } from '../core/errors.js';
import type { ExamplesExplanation } from '../core/explanation.js';
import type { GlobalMethodInfo, MethodOptions, OptionSpec } from '../core/method-info.js';
import type { Model } from '../core/model.js';
import type { Dataset } from '../core/dataset.js';
import type { ExampleLoss } from './example-loss.js';
import { influenceExplanation } from './examples-explanation.js';
import { arnoldiInfluence } from './arnoldi-influence.js';
import { influenceFunction } from './influence-function.js';
import type { LabelledRows } from './labelled-batch.js';
import { mmdCritic } from './mmd-critic.js';
import { nearestNeighbours } from './nearest-neighbours.js';
import { protoDash } from './protodash.js';
import { representerPoints } from './representer-points.js';
import { tracInCP } from './tracin-cp.js';
import { tracInCPFast } from './tracin-cp-fast.js';

const k: OptionSpec = { name: 'k', type: 'integer', default: 5, doc: 'examples per query (proponents and opponents each)' };
const layers: OptionSpec = { name: 'layers', type: 'string', doc: 'comma-separated layers whose parameters are used (default all)' };
const loss: OptionSpec = { name: 'loss', type: 'enum', values: ['cross-entropy', 'mse'], default: 'cross-entropy', doc: 'the training loss (cross-entropy on logits or probabilities, by the model’s output kind)' };

/** The queries of a registry call: `input` rows with `labels` (default: the model's predicted classes). */
async function queries(model: Model, options: MethodOptions, what: string): Promise<LabelledRows & { owned: tf.Tensor[] }> {
  const x = options.input;
  check(x instanceof tf.Tensor, 'input', () => `${what}: the rows to explain are given as the 'input' option (a tensor [T, ...])`);
  const labels = options.labels;
  if (labels instanceof tf.Tensor) return { x, y: labels, owned: [] };
  if (Array.isArray(labels)) {
    const y = tf.tensor1d(labels as number[], 'int32');
    return { x, y, owned: [y] };
  }
  const out = await model.predict(x);
  const y = tf.tidy(() => tf.argMax(out, -1));
  out.dispose();
  return { x, y, owned: [y] };
}

/** The checkpoints of a call (default: the model as it is, learning rate 1). */
function checkpointsOf(model: Model, options: MethodOptions): { checkpoints: readonly Checkpoint[]; owned: Checkpoint[] } {
  const given = options.checkpoints as readonly Checkpoint[] | undefined;
  if (given) return { checkpoints: given, owned: [] };
  const c = snapshotCheckpoint(model, 1, 'current');
  return { checkpoints: [c], owned: [c] };
}

function layerList(v: unknown): readonly string[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? (v as string[]) : String(v).split(',').map((s) => s.trim()).filter(Boolean);
}

const base = { family: 'examples', scope: 'global', completeness: false, inputKinds: ['any'] } as const;

/** Neighbours, influence functions, TracIn and MMD-critic: example-based explanations over a Dataset. */
export const EXAMPLE_METHODS: readonly GlobalMethodInfo[] = [
  {
    ...base,
    id: 'nearest-neighbours',
    title: 'Nearest training examples',
    needsGradients: false,
    layer: 'required',
    paper: 'Caruana et al. 1999; Papernot & McDaniel 2018',
    summary: 'the dataset rows closest to each query in a layer’s representation (cosine, L2, dot)',
    options: [
      k, { name: 'metric', type: 'enum', values: ['cosine', 'l2', 'dot'], default: 'cosine', doc: 'similarity (cosine, dot: largest first) or Euclidean distance (smallest first)' },
      { name: 'index', type: 'enum', values: ['auto', 'exact', 'hnsw'], default: 'auto', doc: 'exact search, an approximate HNSW index (cosine, L2), or HNSW above approximateAbove rows' },
      { name: 'approximateAbove', type: 'integer', default: 100000, doc: "index 'auto': rows above which HNSW is used" },
      { name: 'M', type: 'integer', default: 16, doc: 'HNSW: links per node (2M on layer 0)' },
      { name: 'efConstruction', type: 'integer', default: 200, doc: 'HNSW: candidate list size while building' },
      { name: 'efSearch', type: 'integer', default: 50, doc: 'HNSW: candidate list size while searching (at least k)' },
      { name: 'seed', type: 'integer', default: 100, doc: 'HNSW: seed of the level generator' },
    ],
    async run(model, data, options = {}) {
      const x = options.input;
      check(x instanceof tf.Tensor, 'input', () => `nearestNeighbours: the rows to explain are given as the 'input' option (a tensor [T, ...])`);
      check(typeof options.layer === 'string', 'layer', () => `nearestNeighbours: a layer is required ('input' for the raw rows)`);
      const num = (name: string): number | undefined => options[name] as number | undefined;
      const nn = await nearestNeighbours(model, data, x, {
        layer: options.layer, metric: options.metric as 'cosine' | 'l2' | 'dot' | undefined, k: num('k') ?? 5, batchSize: options.batchSize, signal: options.signal, onProgress: options.onProgress,
        index: options.index as 'auto' | 'exact' | 'hnsw' | undefined, approximateAbove: num('approximateAbove'),
        hnsw: { M: num('M'), efConstruction: num('efConstruction'), efSearch: num('efSearch'), seed: num('seed') },
      });
      return {
        kind: 'examples',
        method: 'nearest-neighbours',
        examples: nn.indices.flatMap((row, q) => row.map((index, r) => ({ index, score: nn.values[q][r], query: q, role: 'neighbour' as const }))),
        meta: { metric: nn.metric, layer: options.layer, index: nn.index },
      };
    },
  },
  {
    ...base,
    id: 'influence-function',
    title: 'Influence functions',
    needsGradients: true,
    layer: 'none',
    paper: 'Koh & Liang 2017',
    summary: 'gᵀ_test H⁻¹ g_train (Captum’s sign and scale): exact Hessian, conjugate gradients or LiSSA',
    options: [k, layers, loss, { name: 'solver', type: 'enum', values: ['exact', 'cg', 'lissa'], default: 'exact', doc: 'how H⁻¹ is applied' }, { name: 'hessianReg', type: 'number', default: 1e-6, doc: 'added to the Hessian’s diagonal' }],
    async run(model, data, options = {}) {
      const q = await queries(model, options, 'influenceFunction');
      try {
        const scores = await influenceFunction(model, data, q, { ...options, layers: layerList(options.layers), loss: options.loss as ExampleLoss | undefined, solver: options.solver as 'exact' | 'cg' | 'lissa' | undefined, hessianReg: options.hessianReg as number | undefined });
        return influenceExplanation('influence-function', scores, (options.k as number | undefined) ?? 5, { sign: 'positive: removing the row raises the test loss (Captum)' });
      } finally {
        tf.dispose(q.owned);
      }
    },
  },
  {
    ...base,
    id: 'arnoldi-influence',
    title: 'Arnoldi influence functions',
    needsGradients: true,
    layer: 'none',
    paper: 'Schioppa et al. 2022',
    summary: 'gᵀ_test R Rᵀ g_train, R from the top Hessian eigenpairs found by the Arnoldi iteration (Captum’s ArnoldiInfluenceFunction)',
    options: [
      k, layers, loss,
      { name: 'projectionDim', type: 'integer', default: 50, doc: 'eigenpairs kept (the rank of the inverse)' },
      { name: 'arnoldiDim', type: 'integer', default: 200, doc: 'Arnoldi iterations (the Krylov subspace dimension)' },
      { name: 'arnoldiTol', type: 'number', default: 0.1, doc: 'stop when the new basis vector’s norm is below this' },
      { name: 'hessianReg', type: 'number', default: 1e-3, doc: 'added to the diagonal of the Hessian’s restriction' },
      { name: 'hessianInverseTol', type: 'number', default: 1e-4, doc: 'eigenvalues at or below this are dropped' },
      { name: 'seed', type: 'integer', doc: 'seed of the random start vector' },
    ],
    async run(model, data, options = {}) {
      const q = await queries(model, options, 'arnoldiInfluence');
      try {
        const num = (name: string): number | undefined => options[name] as number | undefined;
        const scores = await arnoldiInfluence(model, data, q, {
          batchSize: options.batchSize, signal: options.signal, onProgress: options.onProgress,
          layers: layerList(options.layers), loss: options.loss as ExampleLoss | undefined,
          projectionDim: num('projectionDim'), arnoldiDim: num('arnoldiDim'), arnoldiTol: num('arnoldiTol'),
          hessianReg: num('hessianReg'), hessianInverseTol: num('hessianInverseTol'), seed: num('seed'),
        });
        return influenceExplanation('arnoldi-influence', scores, (options.k as number | undefined) ?? 5, { sign: 'positive: removing the row raises the test loss (Captum)' });
      } finally {
        tf.dispose(q.owned);
      }
    },
  },
  {
    ...base,
    id: 'tracin',
    title: 'TracInCP',
    needsGradients: true,
    layer: 'none',
    paper: 'Pruthi et al. 2020',
    summary: 'Σ over checkpoints of η·⟨∇L(test), ∇L(train)⟩: proponents and opponents',
    options: [k, layers, loss, { name: 'projectionDim', type: 'integer', doc: 'random-projection variant: gradients projected to this many dimensions' }],
    async run(model, data, options = {}) {
      const q = await queries(model, options, 'tracInCP');
      const c = checkpointsOf(model, options);
      try {
        const scores = await tracInCP(model, data, q, { ...options, checkpoints: c.checkpoints, layers: layerList(options.layers), loss: options.loss as ExampleLoss | undefined, projectionDim: options.projectionDim as number | undefined });
        return influenceExplanation('tracin', scores, (options.k as number | undefined) ?? 5);
      } finally {
        tf.dispose(q.owned);
        c.owned.forEach(disposeCheckpoint);
      }
    },
  },
  {
    ...base,
    id: 'tracin-fast',
    title: 'TracInCPFast',
    needsGradients: true,
    layer: 'optional',
    paper: 'Pruthi et al. 2020',
    summary: 'TracIn on the final dense layer’s weights from its inputs and output gradients (no bias, as Captum)',
    options: [k, loss],
    async run(model, data, options = {}) {
      const q = await queries(model, options, 'tracInCPFast');
      const c = checkpointsOf(model, options);
      try {
        const scores = await tracInCPFast(model, data, q, { ...options, checkpoints: c.checkpoints, finalLayer: options.layer, loss: options.loss as ExampleLoss | undefined });
        return influenceExplanation('tracin-fast', scores, (options.k as number | undefined) ?? 5);
      } finally {
        tf.dispose(q.owned);
        c.owned.forEach(disposeCheckpoint);
      }
    },
  },
  {
    ...base,
    id: 'mmd-critic',
    title: 'MMD-critic prototypes and criticisms',
    needsGradients: false,
    layer: 'optional',
    paper: 'Kim, Khanna & Koyejo 2016',
    summary: 'greedy prototypes maximising the MMD gain and criticisms maximising the witness (RBF kernel)',
    options: [
      { name: 'prototypes', type: 'integer', default: 4, doc: 'prototypes to choose' },
      { name: 'criticisms', type: 'integer', default: 3, doc: 'criticisms to choose' },
      { name: 'gamma', type: 'number', doc: 'RBF kernel exp(−γ‖x − y‖²); default 1/features' },
      { name: 'regularizer', type: 'enum', values: ['logdet', 'none'], default: 'logdet', doc: 'the criticisms’ diversity term' },
    ],
    async run(model, data, options = {}): Promise<ExamplesExplanation> {
      const r = await mmdCritic(model, data, {
        layer: options.layer ?? 'input',
        prototypes: (options.prototypes as number | undefined) ?? 4,
        criticisms: (options.criticisms as number | undefined) ?? 3,
        gamma: options.gamma as number | undefined,
        regularizer: options.regularizer as 'logdet' | 'none' | undefined,
        batchSize: options.batchSize,
        signal: options.signal,
      });
      return {
        kind: 'examples',
        method: 'mmd-critic',
        examples: [
          ...r.prototypes.map((index, i) => ({ index, score: r.prototypeGains[i], role: 'prototype' as const })),
          ...r.criticisms.map((index, i) => ({ index, score: r.criticismScores[i], role: 'criticism' as const })),
        ],
      };
    },
  },
  {
    ...base,
    id: 'protodash',
    title: 'ProtoDash weighted prototypes',
    needsGradients: false,
    layer: 'optional',
    paper: 'Gurumoorthy et al. 2019',
    summary: 'greedy prototypes with non-negative importance weights maximising wᵀμ − ½wᵀKw (AIX360’s ProtodashExplainer)',
    options: [
      { name: 'prototypes', type: 'integer', default: 5, doc: 'prototypes to choose (at most)' },
      { name: 'kernel', type: 'enum', values: ['gaussian', 'linear'], default: 'gaussian', doc: 'exp(−‖x − y‖²/2σ²) or ⟨x, y⟩' },
      { name: 'sigma', type: 'number', default: 2, doc: 'the Gaussian kernel’s width' },
    ],
    async run(model, data, options = {}): Promise<ExamplesExplanation> {
      const r = await protoDash(model, data, {
        layer: options.layer ?? 'input',
        prototypes: (options.prototypes as number | undefined) ?? 5,
        kernel: options.kernel as 'gaussian' | 'linear' | undefined,
        sigma: options.sigma as number | undefined,
        target: options.target as Dataset | undefined,
        batchSize: options.batchSize,
        signal: options.signal,
      });
      return {
        kind: 'examples',
        method: 'protodash',
        examples: r.prototypes.map((index, i) => ({ index, score: r.weights[i], role: 'prototype' as const })),
        meta: { score: 'importance weight (non-negative)' },
      };
    },
  },
  {
    ...base,
    id: 'representer-points',
    title: 'Representer points',
    needsGradients: true,
    layer: 'optional',
    paper: 'Yeh et al. 2018',
    summary: 'α_j·k(x_j, x_t) from the representer theorem on the L2-fitted last dense layer: excitatory and inhibitory training rows',
    options: [
      k,
      { name: 'lambda', type: 'number', default: 0.003, doc: 'L2 strength of the last-layer fit' },
      { name: 'targets', type: 'enum', values: ['model', 'labels'], default: 'model', doc: 'fit the model’s own probabilities or the labels' },
    ],
    async run(model, data, options = {}) {
      const x = options.input;
      check(x instanceof tf.Tensor, 'input', () => `representerPoints: the rows to explain are given as the 'input' option (a tensor [T, ...])`);
      const labels = options.labels;
      const y = labels instanceof tf.Tensor ? labels : Array.isArray(labels) ? tf.tensor1d(labels as number[], 'int32') : undefined;
      try {
        const r = await representerPoints(model, data, { x, ...(y ? { y } : {}) }, {
          finalLayer: options.layer, lambda: options.lambda as number | undefined, targets: options.targets as 'model' | 'labels' | undefined,
          batchSize: options.batchSize, signal: options.signal, onProgress: options.onProgress,
        });
        return influenceExplanation('representer-points', r, (options.k as number | undefined) ?? 5, { sign: 'positive: excitatory for the explained class', classes: r.classes.join(','), relativeGradient: r.relativeGradient });
      } finally {
        if (y && y !== labels) y.dispose();
      }
    },
  },
];
