/**
 * A global surrogate tree (pedagogical rule extraction: Craven & Shavlik 1996, TREPAN; Andrews et
 * al. 1995's taxonomy): CART fitted to the model's predicted classes on a tabular Dataset
 * (optionally with extra seeded samples around its rows), with its fidelity — the share of
 * held-out rows where tree and model agree — and its cost-complexity pruning path. Forward
 * passes only, so black boxes (`fromFunction`, `onnxruntime:`) work.
 */
import type { Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { Model } from '../core/model.js';
import type { Progress } from '../core/options.js';
import { Rng, DEFAULT_SEED } from '../core/random.js';
import { tabularRows, type TabularRows } from '../global/tabular-rows.js';
import { costComplexityPruningPath, pruneTree, type PruningPath } from './cost-complexity-pruning.js';
import { fitDecisionTree, type DecisionTree, type DecisionTreeOptions } from './decision-tree.js';
import { agreement, modelOutputs, RULES_BATCH } from './model-outputs.js';
import { surroundingSamples } from './surrounding-samples.js';
import { predictTree } from './tree-predict.js';

/** Options of `surrogateTree`: the tree's own (default depth 4) and where fidelity is measured. */
export interface SurrogateTreeOptions extends DecisionTreeOptions {
  /** Rows that measure the held-out fidelity (default: a seeded `heldOutFraction` of `data`'s rows). */
  readonly heldOutData?: Dataset;
  /** Share of `data`'s rows held out when `heldOutData` is absent (default 0.2; 0: fidelity on the training rows). */
  readonly heldOutFraction?: number;
  /** Extra rows drawn around the training rows and labelled by the model (default 0). */
  readonly samples?: number;
  /** Their noise, in standard deviations of each numeric column (default 0.1). */
  readonly noise?: number;
  readonly seed?: number;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

/** The surrogate, the rows it was measured on, and how well it mimics the model. */
export interface SurrogateTreeResult {
  readonly tree: DecisionTree;
  /** Share of held-out rows where the tree predicts the model's class. */
  readonly fidelity: number;
  /** The same on the training rows (without the extra samples). */
  readonly trainFidelity: number;
  readonly pruningPath: PruningPath;
  /** Every real row (training, then held-out) and the model's class of each: what rules are measured on. */
  readonly rows: TabularRows;
  readonly modelClasses: Int32Array;
  readonly trainRows: number;
  readonly heldOutRows: number;
  readonly modelCalls: number;
}

function gather(t: TabularRows, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * t.columns);
  for (let i = 0; i < idx.length; i++) out.set(t.values.subarray(idx[i] * t.columns, (idx[i] + 1) * t.columns), i * t.columns);
  return out;
}

/** Fits a CART surrogate (default maxDepth 4) to the model's predicted classes on `data`; see the file comment. */
export async function surrogateTree(model: Model, data: Dataset, options: SurrogateTreeOptions = {}): Promise<SurrogateTreeResult> {
  const fn = 'surrogateTree';
  const batchSize = options.batchSize ?? RULES_BATCH;
  const seed = options.seed ?? DEFAULT_SEED;
  const fraction = options.heldOutFraction ?? 0.2;
  check(fraction >= 0 && fraction < 1, 'option', () => `${fn}: heldOutFraction must be in [0, 1); found ${fraction}`);
  const table = await tabularRows(data, fn, batchSize, options.signal);
  let train: Float32Array;
  let test: Float32Array;
  if (options.heldOutData) {
    const held = await tabularRows(options.heldOutData, fn, batchSize, options.signal);
    check(held.columns === table.columns, 'input', () => `${fn}: heldOutData must have the data's ${table.columns} columns; found ${held.columns}`);
    train = table.values;
    test = held.values;
  } else {
    const order = new Rng(seed).permutation(table.rows);
    const nTest = Math.round(fraction * table.rows);
    check(table.rows - nTest >= 1, 'input', () => `${fn}: no training rows left after holding out ${nTest} of ${table.rows}`);
    train = gather(table, order.subarray(nTest));
    test = nTest ? gather(table, order.subarray(0, nTest)) : train;
  }
  const columns = table.columns;
  const nTrain = train.length / columns;
  const nTest = test === train ? 0 : test.length / columns;
  const extra = surroundingSamples(train, nTrain, columns, { count: options.samples ?? 0, noise: options.noise ?? 0.1, seed: seed + 1, kinds: data.kinds });
  const all = new Float32Array(train.length + extra.length + (nTest ? test.length : 0));
  all.set(train);
  all.set(extra, train.length);
  if (nTest) all.set(test, train.length + extra.length);
  const total = all.length / columns;
  const out = await modelOutputs(model, all, total, columns, { batchSize, signal: options.signal, fn });
  options.onProgress?.({ done: 1, total: 2 });
  const fitRows = nTrain + extra.length / columns;
  const grown = fitDecisionTree(
    { values: all.subarray(0, fitRows * columns), rows: fitRows, columns, labels: out.predicted.subarray(0, fitRows), classes: out.classes, ...(data.kinds ? { kinds: data.kinds } : {}) },
    { maxDepth: 4, ...options, ccpAlpha: 0 },
  );
  const tree = options.ccpAlpha ? pruneTree(grown, options.ccpAlpha) : grown;
  const pruningPath = costComplexityPruningPath(grown);
  const trainClasses = out.predicted.subarray(0, nTrain);
  const testClasses = nTest ? out.predicted.subarray(fitRows) : trainClasses;
  const trainFidelity = agreement(predictTree(tree, train), trainClasses);
  const fidelity = nTest ? agreement(predictTree(tree, test), testClasses) : trainFidelity;
  const realValues = new Float32Array(train.length + (nTest ? test.length : 0));
  realValues.set(train);
  if (nTest) realValues.set(test, train.length);
  const modelClasses = new Int32Array(nTrain + nTest);
  modelClasses.set(trainClasses);
  if (nTest) modelClasses.set(testClasses, nTrain);
  options.onProgress?.({ done: 2, total: 2 });
  return { tree, fidelity, trainFidelity, pruningPath, rows: { values: realValues, rows: nTrain + nTest, columns }, modelClasses, trainRows: nTrain, heldOutRows: nTest, modelCalls: out.calls };
}
