/**
 * Distillation into interpretable students (Hinton et al. 2015; Frosst & Hinton 2017): the model's
 * soft targets at a temperature τ (softmax(log p / τ)) on a tabular Dataset train a soft decision
 * tree (soft-decision-tree.ts) and a shallow CART on the same targets — each row entered once per
 * class, weighted by its soft target (the tree's sample weights) — and each student's fidelity is
 * the share of held-out rows where it predicts the model's class. Forward passes only.
 */
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import { tabularRows } from '../global/tabular-rows.js';
import { fitDecisionTree, type DecisionTree, type DecisionTreeOptions } from './decision-tree.js';
import { agreement, modelOutputs } from './model-outputs.js';
import { predictSoftTree, trainSoftDecisionTree, type SoftDecisionTree, type SoftTreeTraining } from './soft-decision-tree.js';
import { predictTree } from './tree-predict.js';

/** Options of `distillation`: the temperature, both students' sizes and the held-out share. */
export interface DistillationOptions extends SoftTreeTraining {
  /** τ of the soft targets (default 2; 1: the model's own probabilities). */
  readonly temperature?: number;
  /** The shallow CART student's options (default maxDepth 3). */
  readonly tree?: DecisionTreeOptions;
  /** Share of rows held out to measure fidelity (default 0.2). */
  readonly heldOutFraction?: number;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/** Both students and their held-out fidelities. */
export interface DistillationResult {
  readonly softTree: SoftDecisionTree;
  readonly softTreeFidelity: number;
  readonly tree: DecisionTree;
  readonly treeFidelity: number;
  readonly temperature: number;
  readonly heldOutRows: number;
}

/** Soft targets softmax(log p / τ) of probabilities `[rows, k]`. */
export function softTargets(probabilities: Float64Array, rows: number, k: number, temperature: number): Float32Array {
  const out = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, Math.log(probabilities[r * k + c]) / temperature);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += (out[r * k + c] = Math.exp(Math.log(probabilities[r * k + c]) / temperature - max));
    for (let c = 0; c < k; c++) out[r * k + c] /= sum;
  }
  return out;
}

/** Distils the model into a soft decision tree and a shallow CART; see the file comment. */
export async function distillation(model: Model, data: Dataset, options: DistillationOptions = {}): Promise<DistillationResult> {
  const fn = 'distillation';
  const temperature = options.temperature ?? 2;
  check(temperature > 0 && Number.isFinite(temperature), 'option', () => `${fn}: temperature must be a positive number; found ${temperature}`);
  const fraction = options.heldOutFraction ?? 0.2;
  check(fraction > 0 && fraction < 1, 'option', () => `${fn}: heldOutFraction must be in (0, 1); found ${fraction}`);
  const seed = options.seed ?? DEFAULT_SEED;
  const table = await tabularRows(data, fn, options.batchSize ?? 4096, options.signal);
  const { columns, rows } = table;
  const out = await modelOutputs(model, table.values, rows, columns, { batchSize: options.batchSize, signal: options.signal, fn });
  const k = out.classes;
  const order = new Rng(seed).permutation(rows);
  const nTest = Math.max(1, Math.round(fraction * rows));
  check(rows - nTest >= 1, 'input', () => `${fn}: expected at least 2 rows; found ${rows}`);
  const pick = (idx: Int32Array): Float32Array => {
    const v = new Float32Array(idx.length * columns);
    idx.forEach((r, i) => v.set(table.values.subarray(r * columns, (r + 1) * columns), i * columns));
    return v;
  };
  const trainIdx = order.subarray(nTest);
  const testIdx = order.subarray(0, nTest);
  const train = pick(trainIdx);
  const test = pick(testIdx);
  const soft = softTargets(out.probabilities, rows, k, temperature);
  const trainSoft = new Float32Array(trainIdx.length * k);
  trainIdx.forEach((r, i) => trainSoft.set(soft.subarray(r * k, (r + 1) * k), i * k));
  const testClasses = Int32Array.from(testIdx, (r) => out.predicted[r]);
  const softTree = await trainSoftDecisionTree(train, trainSoft, trainIdx.length, columns, k, { ...options, seed });
  // CART on soft targets: each training row once per class, weighted by its soft target.
  const n = trainIdx.length;
  const values = new Float32Array(n * k * columns);
  const labels = new Int32Array(n * k);
  const weights = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      values.set(train.subarray(i * columns, (i + 1) * columns), (i * k + c) * columns);
      labels[i * k + c] = c;
      weights[i * k + c] = trainSoft[i * k + c];
    }
  }
  const tree = fitDecisionTree({ values, rows: n * k, columns, labels, classes: k, weights, ...(data.kinds ? { kinds: data.kinds } : {}) }, { maxDepth: 3, ...options.tree });
  return {
    softTree,
    softTreeFidelity: agreement(predictSoftTree(softTree, test), testClasses),
    tree,
    treeFidelity: agreement(predictTree(tree, test), testClasses),
    temperature,
    heldOutRows: nTest,
  };
}
