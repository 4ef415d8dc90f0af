import * as tf from '@tensorflow/tfjs';
import type { ColumnKind, Dataset } from '../core/dataset.js';
import { check } from '../core/errors.js';
import type { RulesExplanation } from '../core/explanation.js';
import type { Model } from '../core/model.js';
import { tabularRows } from '../global/tabular-rows.js';
import { anchorBeam } from './anchor-beam.js';
import { anchorExplanation } from './anchor-explanation.js';
import { resolveAnchorOptions, type AnchorOptions } from './anchor-options.js';
import { predictedLabels } from './predicted-labels.js';
import { sharedAnchorSearches } from './shared-classifier.js';
import { tabularAnchorSampler } from './tabular-anchor-sampler.js';

/** Options of `anchorTabular`: the search's, plus how columns are read. */
export interface AnchorTabularOptions extends AnchorOptions {
  /** Per column, numeric (quartile bins) or categorical (by value); default the dataset's `kinds`, else numeric. */
  readonly kinds?: readonly ColumnKind[];
}

/**
 * Anchors for tabular rows (Ribeiro et al., Anchors: High-Precision Model-Agnostic Explanations,
 * 2018): for each row of `rows` `[N, columns]`, the conditions on its quartile bins (numeric
 * columns, from `data`) or categories under which the model keeps its prediction with precision
 * ≥ `threshold`, sampling perturbations from `data`. Forward passes only (black boxes work).
 * Returns one rule per row, outcome the predicted class (a name when the dataset has class names).
 * The rows' searches run together and share model calls (shared-classifier.ts).
 */
export async function anchorTabular(model: Model, data: Dataset, rows: tf.Tensor, options: AnchorTabularOptions = {}): Promise<RulesExplanation> {
  const fn = 'anchorTabular';
  const o = resolveAnchorOptions(options, fn);
  check(data.inputShape.length === 1, 'input', () => `${fn}: expected a tabular dataset (rows [columns]); found rows of shape [${data.inputShape}]`);
  const d = data.inputShape[0];
  check(rows.rank === 2 && rows.shape[1] === d, 'shape', () => `${fn}: rows must be [N, ${d}] like the dataset; found [${rows.shape}]`);
  check(model.inputShape.length === 1 && model.inputShape[0] === d, 'shape', () => `${fn}: the model takes [${model.inputShape}]; the dataset's rows are [${d}]`);
  const kinds = options.kinds ?? data.kinds ?? Array.from({ length: d }, (): ColumnKind => 'numeric');
  check(kinds.length === d, 'option', () => `${fn}: kinds must name each of the ${d} columns; found ${kinds.length}`);
  const names = data.featureNames ?? Array.from({ length: d }, (_, j) => `x${j}`);
  const table = await tabularRows(data, fn, 1024, o.signal);
  const values = Float32Array.from(await rows.data());
  const n = rows.shape[0];
  const { labels, calls } = await predictedLabels(model, values, n, 'float32', o.batchSize);
  const samplers = Array.from({ length: n }, (_, i) => tabularAnchorSampler(table.values, table.rows, values.subarray(i * d, (i + 1) * d), kinds, names));
  const { results: found, calls: searchCalls } = await sharedAnchorSearches(n, model, { dtype: 'float32', batchSize: o.batchSize, inputSize: d, samplesPerPull: o.samplesPerPull },
    (i, classify) => anchorBeam(samplers[i], classify, labels[i], { ...o, seed: o.seed + i }, fn));
  const outcomes = Array.from(labels, (c) => data.classNames?.[c] ?? c);
  return anchorExplanation('anchors-tabular', found, (i, f) => samplers[i].conditions(f), outcomes, o, { labels: Array.from(labels), instanceCalls: calls, modelCalls: calls + searchCalls });
}
