/**
 * Parity builders of the example-based family on the wave-2 `examples_tanh_mlp` fixture: Captum's
 * TracInCP, TracInCPFast, NaiveInfluenceFunction and SimilarityInfluence (nearest neighbours), and
 * the original MMD-critic code. The fixture's checkpoints (weights and learning rates) are loaded
 * into the fixture's model by parameter name; indices and selections are checked exactly (a
 * mismatch fails the entry), the scores compared are the entry's `result`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '../../core/checkpoint.js';
import { datasetFromTensors, type Dataset } from '../../core/dataset.js';
import { LumenError } from '../../core/errors.js';
import { topKPerRow } from '../../examples/bounded-top-k.js';
import { influenceFunction, influenceSelfInfluence } from '../../examples/influence-function.js';
import type { LabelledRows } from '../../examples/labelled-batch.js';
import { mmdCritic } from '../../examples/mmd-critic.js';
import { nearestNeighbours } from '../../examples/nearest-neighbours.js';
import { tracInCP, tracInCPSelfInfluence } from '../../examples/tracin-cp.js';
import { tracInCPFast, tracInCPFastSelfInfluence } from '../../examples/tracin-cp-fast.js';
import { fixtureArray, fixtureTensor, type Fixture, type FixtureEntry, type FixtureValue } from '../../models/fixture.js';
import type { CaseBuilder } from '../case.js';

interface ExamplesJson {
  readonly dataset: { readonly X_train: FixtureValue; readonly y_train: readonly number[]; readonly X_test: FixtureValue; readonly y_test: readonly number[] };
  readonly checkpoints: readonly { readonly name: string; readonly learning_rate: number; readonly weights_tfjs: Readonly<Record<string, FixtureValue>> }[];
}

/** The fixture's checkpoints as Lumen Checkpoints of `fx.model` (kernels transposed where the model stores them [out, in]). */
export function fixtureCheckpoints(fx: Fixture, names?: readonly string[]): Checkpoint[] {
  const json = fx.json as unknown as ExamplesJson;
  const params = fx.model.parameters ?? [];
  return json.checkpoints
    .filter((c) => !names || names.includes(c.name))
    .map((c) => ({
      name: c.name,
      learningRate: c.learning_rate,
      parameters: Object.fromEntries(
        params.map((p) => {
          const key = `${p.layer}.${p.role === 'bias' ? 'bias' : 'kernel'}`;
          const v = c.weights_tfjs[key];
          if (!v) throw new LumenError('file', `examples parity: checkpoint ${c.name} has no '${key}'`);
          const t = fixtureTensor(v);
          return [p.name, p.role === 'kernel-out-in' ? tf.tidy(() => t.transpose()) : t];
        }),
      ),
    }));
}

/** Runs `fn` with the fixture's training set, test rows and checkpoints, freeing them after. */
async function withData<T>(fx: Fixture, names: readonly string[] | undefined, fn: (train: Dataset, test: LabelledRows, checkpoints: Checkpoint[]) => Promise<T>): Promise<T> {
  const d = (fx.json as unknown as ExamplesJson).dataset;
  const owned = [fixtureTensor(d.X_train), tf.tensor1d(d.y_train as number[], 'int32'), fixtureTensor(d.X_test), tf.tensor1d(d.y_test as number[], 'int32')];
  const checkpoints = fixtureCheckpoints(fx, names);
  try {
    return await fn(datasetFromTensors(owned[0], owned[1]), { x: owned[2], y: owned[3] }, checkpoints);
  } finally {
    tf.dispose([...owned, ...checkpoints.flatMap((c) => Object.values(c.parameters))]);
  }
}

function flat(v: FixtureValue): number[] {
  return Array.from(fixtureArray(v).data);
}

function checkIndices(entry: FixtureEntry, what: string, got: readonly number[][], want: FixtureValue): void {
  const ref = flat(want);
  const mine = got.flat();
  if (mine.length !== ref.length || mine.some((v, i) => v !== ref[i])) throw new LumenError('numeric', `${entry.id}: ${what} [${mine.join(', ')}] differ from the reference's [${ref.join(', ')}]`);
}

const ctorOf = (entry: FixtureEntry): Readonly<Record<string, unknown>> => (entry['constructor'] as unknown as Readonly<Record<string, unknown>>) ?? {};
const callOf = (entry: FixtureEntry): Readonly<Record<string, unknown>> => (entry.call as Readonly<Record<string, unknown>>) ?? {};
const resultOf = (entry: FixtureEntry): Readonly<Record<string, FixtureValue>> => entry.result as Readonly<Record<string, FixtureValue>>;
const layersOf = (ctor: Readonly<Record<string, unknown>>): readonly string[] | undefined => (Array.isArray(ctor.layers) ? (ctor.layers as string[]) : undefined);

/** Captum's `TracInCP(..., loss_fn=CrossEntropyLoss(reduction='none'))` with default checkpoint learning rates. */
const tracIn: CaseBuilder = (entry, _kw, fx) => {
  const ctor = ctorOf(entry);
  const call = callOf(entry);
  const result = resultOf(entry);
  if (ctor.loss_fn !== "nn.CrossEntropyLoss(reduction='none')" || ctor.test_loss_fn !== null) return null;
  const layers = layersOf(ctor);
  const options = { layers, batchSize: ctor.batch_size as number };
  if (call.method === 'self_influence') {
    return { method: 'tracin', reference: flat(result.self_influence), compute: () => withData(fx, undefined, (train, _t, checkpoints) => tracInCPSelfInfluence(fx.model, train, { ...options, checkpoints })) };
  }
  if (call.method !== 'influence' || call.aggregate === true) return null;
  const k = call.k as number | null;
  return {
    method: 'tracin',
    reference: flat(k ? result.influence_scores : result.scores),
    compute: () =>
      withData(fx, undefined, async (train, test, checkpoints) => {
        const s = await tracInCP(fx.model, train, test, { ...options, checkpoints });
        if (!k) return s.scores;
        const top = topKPerRow(s.scores, s.shape, k, call.proponents === true);
        checkIndices(entry, 'indices', top.indices, result.indices);
        return top.scores.flat();
      }),
  };
};

/** Captum's `TracInCPFast(final_fc_layer=…, loss_fn=CrossEntropyLoss(reduction='sum'))`. */
const tracInFast: CaseBuilder = (entry, _kw, fx) => {
  const ctor = ctorOf(entry);
  const call = callOf(entry);
  const result = resultOf(entry);
  if (!['sum', 'mean'].some((r) => ctor.loss_fn === `nn.CrossEntropyLoss(reduction='${r}')`) || typeof ctor.final_fc_layer !== 'string') return null;
  const options = { finalLayer: ctor.final_fc_layer, batchSize: ctor.batch_size as number };
  if (call.method === 'self_influence') {
    return { method: 'tracin-fast', reference: flat(result.self_influence), compute: () => withData(fx, undefined, (train, _t, checkpoints) => tracInCPFastSelfInfluence(fx.model, train, { ...options, checkpoints })) };
  }
  if (call.method !== 'influence') return null;
  return { method: 'tracin-fast', reference: flat(result.scores), compute: () => withData(fx, undefined, async (train, test, checkpoints) => (await tracInCPFast(fx.model, train, test, { ...options, checkpoints })).scores) };
};

/** Captum's `NaiveInfluenceFunction` at one checkpoint: the exact Hessian, eigenvalues above the tolerance, the top projection_dim. */
const naiveInfluence: CaseBuilder = (entry, _kw, fx) => {
  const ctor = ctorOf(entry);
  const call = callOf(entry);
  const result = resultOf(entry);
  if (ctor.loss_fn !== "nn.CrossEntropyLoss(reduction='none')" || ctor.hessian_dataset !== null || ctor.test_loss_fn !== null || typeof ctor.checkpoint !== 'string') return null;
  const options = {
    solver: 'exact' as const,
    layers: layersOf(ctor),
    batchSize: ctor.batch_size as number,
    hessianReg: ctor.hessian_reg as number,
    hessianInverseTol: ctor.hessian_inverse_tol as number,
    projectionDim: ctor.projection_dim as number,
  };
  const at = [ctor.checkpoint as string];
  // One checkpoint: its parameters are loaded (learning rates play no part in influence functions).
  const loaded = <T>(fn: (train: Dataset, test: LabelledRows) => Promise<T>): Promise<T> =>
    withData(fx, at, async (train, test, [c]) => {
      const saved = Object.fromEntries((fx.model.parameters ?? []).map((p) => [p.name, p.value.clone()]));
      fx.model.setParameters?.(c.parameters);
      try {
        return await fn(train, test);
      } finally {
        fx.model.setParameters?.(saved);
        tf.dispose(Object.values(saved));
      }
    });
  if (call.method === 'self_influence') return { method: 'influence-function', reference: flat(result.self_influence), compute: () => loaded((train) => influenceSelfInfluence(fx.model, train, options)) };
  if (call.method !== 'influence') return null;
  return { method: 'influence-function', reference: flat(result.scores), compute: () => loaded(async (train, test) => (await influenceFunction(fx.model, train, test, options)).scores) };
};

/** Nearest neighbours in a layer at the final checkpoint (Captum's SimilarityInfluence, cosine and L2): indices exact, values compared. */
const neighbours: CaseBuilder = (entry, _kw, fx) => {
  const layer = entry.layer;
  const result = resultOf(entry);
  const k = entry.k as number;
  if (typeof layer !== 'string' || !Number.isInteger(k)) return null;
  return {
    method: 'nearest-neighbours',
    reference: [...flat(result.cosine_values), ...flat(result.l2_values)],
    compute: () =>
      withData(fx, undefined, async (train, test) => {
        const cos = await nearestNeighbours(fx.model, train, test.x, { layer, k, metric: 'cosine', batchSize: 16 });
        const l2 = await nearestNeighbours(fx.model, train, test.x, { layer, k, metric: 'l2', batchSize: 16 });
        checkIndices(entry, 'cosine indices', cos.indices, result.cosine_indices);
        checkIndices(entry, 'L2 indices', l2.indices, result.l2_indices);
        return [...cos.values.flat(), ...l2.values.flat()];
      }),
  };
};

/** BeenKim/MMD-critic's greedy prototypes and criticisms, on the inputs or on the hidden layer at the final checkpoint. */
const mmd: CaseBuilder = (entry, _kw, fx) => {
  const result = entry.result as { prototypes: number[]; criticisms: number[] };
  const reg = entry.regularizer === 'None' ? 'none' : entry.regularizer === 'logdet' ? 'logdet' : null;
  const data = String(entry.data ?? '');
  const hidden = (fx.json.model as { architecture?: { layer_for_similarity?: string } } | undefined)?.architecture?.layer_for_similarity;
  const layer = data === 'X_train' ? 'input' : data.startsWith('hidden_train') && hidden ? hidden : null;
  if (!reg || !layer || typeof entry.gamma !== 'number') return null;
  return {
    method: 'mmd-critic',
    reference: [...result.prototypes, ...result.criticisms],
    compute: () =>
      withData(fx, undefined, async (train) => {
        const r = await mmdCritic(fx.model, train, { layer, gamma: entry.gamma as number, prototypes: entry.m_prototypes as number, criticisms: entry.c_criticisms as number, regularizer: reg });
        return [...r.prototypes, ...r.criticisms];
      }),
  };
};

export const EXAMPLES_BUILDERS: Readonly<Record<string, CaseBuilder>> = {
  'captum.influence.TracInCP': tracIn,
  'captum.influence.TracInCPFast': tracInFast,
  'captum.influence.NaiveInfluenceFunction': naiveInfluence,
  'captum.influence.SimilarityInfluence (cross-checked with numpy)': neighbours,
  'BeenKim/MMD-critic mmd.py': mmd,
};
