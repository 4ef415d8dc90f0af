import * as tf from '@tensorflow/tfjs';
import { snapshotCheckpoint, type Checkpoint } from '../core/checkpoint.js';
import { check, LumenError } from '../core/errors.js';
import type { Dataset } from '../core/dataset.js';
import type { Model } from '../core/model.js';
import { arnoldiEigen, arnoldiInverseRoot } from './arnoldi-influence.js';
import type { ExampleLoss } from './example-loss.js';
import { exactInverseRoot, iterativeSolve } from './influence-function.js';
import { parameterCount, perExampleGradients, selectParameters } from './per-example-gradients.js';
import { layerRepresentation } from './representations.js';
import type { ScoreTerm, TopExamplesOptions } from './streaming-scores.js';
import { finalLayerOf, finalLayerFactors } from './tracin-cp-fast.js';
import { tracInProjection } from './tracin-cp.js';

/** The example methods that score every query against every training row (and so stream as top-k). */
export const STREAMED_EXAMPLE_METHODS = ['nearest-neighbours', 'influence-function', 'arnoldi-influence', 'tracin', 'tracin-fast'] as const;

/** One of STREAMED_EXAMPLE_METHODS. */
export type StreamedExampleMethod = (typeof STREAMED_EXAMPLE_METHODS)[number];

/** The options of a streamed method, as the registry names them (typed values). */
export interface ScoreTermOptions {
  readonly layer?: string;
  readonly layers?: readonly string[];
  readonly loss?: ExampleLoss;
  readonly metric?: 'cosine' | 'l2' | 'dot';
  readonly solver?: 'exact' | 'cg' | 'lissa';
  readonly hessianReg?: number;
  readonly hessianInverseTol?: number;
  readonly projectionDim?: number;
  readonly arnoldiDim?: number;
  readonly arnoldiTol?: number;
  /** Seed of what is drawn once for the whole job (TracIn's projection, Arnoldi's start vector; LiSSA's draws unless a query batch brings its own). */
  readonly seed?: number;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/** A method's score terms, what streamTopExamples keeps of them, and the tensors to free at the end. */
export interface ScoreTerms {
  readonly terms: readonly ScoreTerm[];
  readonly keep: TopExamplesOptions['keep'];
  /** Whether the method defines a self-influence (neighbours do not). */
  readonly hasSelfInfluence: boolean;
  dispose(): void;
}

const dot = (q: readonly tf.Tensor[], r: readonly tf.Tensor[]): tf.Tensor => tf.matMul(q[0] as tf.Tensor2D, r[0] as tf.Tensor2D, false, true);
const squaredNorms = (q: readonly tf.Tensor[]): tf.Tensor => tf.sum(tf.square(q[0]), 1);

/** Per-example gradients times an optional matrix (H^-½'s root, a random projection). */
function gradientEmbedding(model: Model, rows: { x: tf.Tensor; y: tf.Tensor }, options: ScoreTermOptions, right: tf.Tensor2D | null): tf.Tensor2D {
  return tf.tidy(() => {
    const g = perExampleGradients(model, rows.x, rows.y, { ...(options.layers ? { layers: options.layers } : {}), ...(options.loss ? { loss: options.loss } : {}) });
    return right ? tf.matMul(g, right) : g;
  });
}

/**
 * The score terms of an example method, for streamTopExamples: TracInCP (Pruthi et al. 2020) one
 * term per checkpoint, ⟨g_t P, g_j P⟩ weighted by its learning rate (P the seeded projection of the
 * random-projection variant, or none); TracInCPFast ⟨a_t, a_j⟩⟨d_t, d_j⟩ on the final dense layer;
 * influence functions (Koh & Liang 2017, Captum's sign and scale) g_tᵀ H⁻¹ g_j with H⁻¹ = R Rᵀ from
 * the exact Hessian or the Arnoldi iteration (Schioppa et al. 2022), computed once here, or H⁻¹ g_t
 * by conjugate gradients / LiSSA per query; nearest neighbours a layer's cosine, dot or L2. The
 * same numbers as the registry methods; what is expensive and query-independent is done once.
 */
export async function scoreTerms(model: Model, train: Dataset, method: StreamedExampleMethod, options: ScoreTermOptions, checkpoints?: readonly Checkpoint[]): Promise<ScoreTerms> {
  const owned: tf.Tensor[] = [];
  const dispose = (): void => tf.dispose(owned);
  check(checkpoints === undefined || method === 'tracin' || method === 'tracin-fast', 'option', () => `checkpoints: only tracin and tracin-fast take checkpoints; found ${method}`);
  switch (method) {
    case 'nearest-neighbours': {
      const layer = options.layer;
      check(typeof layer === 'string', 'layer', () => `nearestNeighbours: a layer is required ('input' for the raw rows)`);
      const metric = options.metric ?? 'cosine';
      check(['cosine', 'l2', 'dot'].includes(metric), 'option', () => `nearestNeighbours: metric must be 'cosine', 'l2' or 'dot'; found '${metric}'`);
      const embed = (x: tf.Tensor): tf.Tensor2D => tf.tidy(() => {
        const h = layerRepresentation(model, x, layer);
        return metric === 'cosine' ? tf.div(h, tf.maximum(tf.norm(h, 'euclidean', 1, true), 1e-12)) : h;
      });
      const term: ScoreTerm = {
        weight: 1,
        queries: async (rows) => [embed(rows.x)],
        train: (rows) => [embed(rows.x)],
        block: (q, r) => {
          if (metric !== 'l2') return dot(q, r);
          const d2 = tf.add(tf.sub(tf.sum(tf.square(q[0]), 1, true), tf.mul(2, dot(q, r))), tf.transpose(tf.sum(tf.square(r[0]), 1, true)));
          return tf.sqrt(tf.relu(d2));
        },
      };
      return { terms: [term], keep: metric === 'l2' ? 'lowest' : 'highest', hasSelfInfluence: false, dispose };
    }
    case 'tracin': {
      const params = selectParameters(model, { ...(options.layers ? { layers: options.layers } : {}) }, 'tracInCP');
      const proj = tracInProjection(parameterCount(params), { checkpoints: [], ...(options.projectionDim !== undefined ? { projectionDim: options.projectionDim } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) });
      if (proj) owned.push(proj);
      const list = checkpoints ?? [snapshotCheckpoint(model, 1, 'current')];
      if (!checkpoints) owned.push(...Object.values(list[0].parameters));
      const terms = list.map((c): ScoreTerm => ({
        checkpoint: c,
        weight: c.learningRate ?? 1,
        queries: async (rows) => [gradientEmbedding(model, rows, options, proj)],
        train: (rows) => [gradientEmbedding(model, rows, options, proj)],
        block: dot,
        self: squaredNorms,
      }));
      return { terms, keep: 'both', hasSelfInfluence: true, dispose };
    }
    case 'tracin-fast': {
      const layer = finalLayerOf(model, { checkpoints: [], ...(options.layer ? { finalLayer: options.layer } : {}) });
      const loss = options.loss ?? 'cross-entropy';
      const list = checkpoints ?? [snapshotCheckpoint(model, 1, 'current')];
      if (!checkpoints) owned.push(...Object.values(list[0].parameters));
      const factors = (rows: { x: tf.Tensor; y: tf.Tensor }): tf.Tensor[] => {
        const f = finalLayerFactors(model, rows.x, rows.y, layer, loss);
        return [f.a, f.d];
      };
      const terms = list.map((c): ScoreTerm => ({
        checkpoint: c,
        weight: c.learningRate ?? 1,
        queries: async (rows) => factors(rows),
        train: factors,
        block: (q, r) => tf.mul(tf.matMul(q[0] as tf.Tensor2D, r[0] as tf.Tensor2D, false, true), tf.matMul(q[1] as tf.Tensor2D, r[1] as tf.Tensor2D, false, true)),
        self: (q) => tf.mul(tf.sum(tf.square(q[0]), 1), tf.sum(tf.square(q[1]), 1)),
      }));
      return { terms, keep: 'both', hasSelfInfluence: true, dispose };
    }
    case 'influence-function':
    case 'arnoldi-influence': {
      const params = selectParameters(model, { ...(options.layers ? { layers: options.layers } : {}) }, method === 'arnoldi-influence' ? 'arnoldiInfluence' : 'influenceFunction');
      const solver = method === 'arnoldi-influence' ? 'arnoldi' : options.solver ?? 'exact';
      if (solver === 'exact' || solver === 'arnoldi') {
        const root = solver === 'exact'
          ? await exactInverseRoot(model, params, train, { ...options, layers: options.layers, loss: options.loss, solver: 'exact' })
          : arnoldiInverseRoot(await arnoldiEigen(model, params, train, { ...options, layers: options.layers, loss: options.loss }));
        owned.push(root);
        const term: ScoreTerm = {
          weight: 1,
          queries: async (rows) => [gradientEmbedding(model, rows, options, root)],
          train: (rows) => [gradientEmbedding(model, rows, options, root)],
          block: dot,
          self: squaredNorms,
        };
        return { terms: [term], keep: 'both', hasSelfInfluence: true, dispose };
      }
      if (solver !== 'cg' && solver !== 'lissa') throw new LumenError('option', `influenceFunction: solver must be 'exact', 'cg' or 'lissa'; found '${String(solver)}'`);
      const term: ScoreTerm = {
        weight: 1,
        queries: async (rows, batchSeed) => {
          const g = gradientEmbedding(model, rows, options, null);
          const seed = batchSeed ?? options.seed;
          try {
            return [await iterativeSolve(model, params, train, g, { ...options, layers: options.layers, loss: options.loss, solver, ...(seed !== undefined ? { seed } : {}) }), g];
          } catch (e) {
            g.dispose();
            throw e;
          }
        },
        train: (rows) => [gradientEmbedding(model, rows, options, null)],
        block: dot,
        self: (q) => tf.sum(tf.mul(q[0], q[1]), 1),
      };
      return { terms: [term], keep: 'both', hasSelfInfluence: true, dispose };
    }
    default:
      throw new LumenError('method', `scoreTerms: '${String(method)}' is not one of ${STREAMED_EXAMPLE_METHODS.join(', ')}`);
  }
}
