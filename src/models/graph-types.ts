/**
 * The types of Lumen's graph IR, apart from its executor (graph.ts) and rule engine
 * (rule-engine.ts), which both read them: neither imports the other's module for its types.
 */
import type * as tf from '@tensorflow/tfjs';
import type { LayerInfo } from '../core/model.js';
import type { GraphPart } from './layer-parts.js';

/** One node of Lumen's graph IR: a named op over named inputs ('input' is the model input). */
export interface GraphNode extends LayerInfo {
  readonly inputs: readonly string[];
  apply(inputs: tf.Tensor[]): tf.Tensor;
  /**
   * The node as parts that gradient rules see (src/core/rules.ts); absent or null when the node's
   * computation is not described part by part (a rule-based run then fails naming the node).
   */
  readonly parts?: readonly GraphPart[] | null;
}

/** A model as a list of nodes in topological order; `output` names the node whose value is returned. */
export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly output: string;
}
