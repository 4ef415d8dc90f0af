/**
 * Top-activating dataset examples (Zeiler & Fergus 2014, "Visualizing and Understanding
 * Convolutional Networks"; Olah et al. 2017, "Feature Visualization", §"Dataset examples"): for
 * each unit of a layer, the k dataset rows that activate it most. A channel of a spatial layer
 * `[H, W, C]` is scored per row by its maximum over positions (default, as Zeiler & Fergus and
 * Lucid's dataset examples do) or its mean; a dense unit by its value. The dataset is streamed a
 * batch at a time into one bounded heap per unit, so memory is O(units · k) however large it is.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../core/dataset.js';
import { check, LumenError } from '../core/errors.js';
import type { ExamplesExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import type { Progress } from '../core/options.js';
import { yieldToEventLoop } from '../core/yield-to-event-loop.js';
import { BoundedTopK } from '../examples/bounded-top-k.js';

/** Options of `topActivatingExamples`. */
export interface TopActivatingExamplesOptions {
  /** Rows kept per unit (default 9, Zeiler & Fergus's). */
  readonly k?: number;
  /** The units (channels) to rank rows for (default every unit of the layer). */
  readonly units?: readonly number[];
  /** How a channel's map is scored per row: `'max'` over positions (default) or `'mean'`. */
  readonly reduce?: 'max' | 'mean';
  /** Rows per model call (default 64). */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

/**
 * For each unit of `layer`, the `k` rows of `data` with the highest activation (see the file
 * comment), as an `'examples'` explanation: one record per (unit, row), `query` = the unit, `score`
 * = its activation, best first within each unit; `meta.units` lists the units in order.
 */
export async function topActivatingExamples(model: Model, data: Dataset, layer: string, options: TopActivatingExamplesOptions = {}): Promise<ExamplesExplanation> {
  const fn = 'topActivatingExamples';
  const k = options.k ?? 9;
  const reduce = options.reduce ?? 'max';
  const batchSize = options.batchSize ?? 64;
  check(model.differentiable, 'not-differentiable', () => `${fn}: needs a model whose layers can be captured; '${model.name}' is a black box`);
  const info = model.layers.find((l) => l.name === layer);
  check(info !== undefined, 'layer', () => `${fn}: expected a layer of ${model.layers.map((l) => l.name).join(', ')}; found '${layer}'`);
  check(info.outputShape.length === 1 || info.outputShape.length === 3, 'layer', () => `${fn}: '${layer}' must output units [C] or maps [H, W, C]; found [${info.outputShape}]`);
  check(Number.isInteger(k) && k >= 1, 'option', () => `${fn}: k must be a positive integer; found ${k}`);
  check(reduce === 'max' || reduce === 'mean', 'option', () => `${fn}: reduce must be 'max' or 'mean'; found '${String(reduce)}'`);
  check(Number.isInteger(batchSize) && batchSize >= 1, 'option', () => `${fn}: batchSize must be a positive integer; found ${batchSize}`);
  const channels = info.outputShape[info.outputShape.length - 1] as number;
  const units = options.units ?? Array.from({ length: channels }, (_, u) => u);
  for (const u of units) check(Number.isInteger(u) && u >= 0 && u < channels, 'option', () => `${fn}: units must be integers in [0, ${channels}); found ${u}`);
  check(units.length > 0, 'option', () => `${fn}: expected at least one unit; found none`);
  const heaps = units.map(() => new BoundedTopK(k, true));
  const picked = tf.tensor1d(Int32Array.from(units), 'int32');
  let done = 0;
  try {
    for await (const { x, y, index } of data.batches(batchSize)) {
      if (options.signal?.aborted) {
        tf.dispose([x, y]);
        throw new LumenError('aborted', `${fn}: aborted after ${done} rows`);
      }
      const scores = tf.tidy(() => {
        const act = model.run(x, { capture: [layer] }).captured[layer];
        const perRow = act.rank === 4 ? (reduce === 'max' ? tf.max(act, [1, 2]) : tf.mean(act, [1, 2])) : act;
        return tf.gather(perRow, picked, 1);
      });
      tf.dispose([x, y]);
      const values = await scores.data();
      scores.dispose();
      const n = index.length;
      for (let i = 0; i < n; i++) for (let j = 0; j < units.length; j++) heaps[j].push(index[i], values[i * units.length + j]);
      done += n;
      options.onProgress?.({ done, total: data.size });
      await yieldToEventLoop();
    }
  } finally {
    picked.dispose();
  }
  check(done > 0, 'input', () => `${fn}: the dataset has no rows`);
  const examples = units.flatMap((unit, j) => heaps[j].sorted().map((e) => ({ index: e.index, score: e.score, query: unit })));
  return { kind: 'examples', method: 'top-activating-examples', examples, meta: { layer, reduce, k, units: [...units], rows: done } };
}
