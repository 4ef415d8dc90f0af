import * as tf from '@tensorflow/tfjs';
import type { Model } from '../../../src/core/model.js';
import { fromGraph } from '../../../src/models/from-graph.js';
import { GRAPH_INPUT } from '../../../src/models/graph.js';
import type { GraphNode } from '../../../src/models/graph-types.js';

/**
 * A toy model with two attention blocks for the registry-wide tests: input [N, 2·4·4] attention
 * logits, block b's attention [2 heads, 4, 4] is their softmax (+ b), and class c's score is
 * Σ_b Σ W_bc ⊙ A_b (seeded weights), so ∂score_c/∂A_b = W_bc.
 */
export function toyAttentionModel(seed: number): { model: Model; layers: { dispose(): void }; x: tf.Tensor } {
  const h = 2;
  const t = 4;
  const classes = 3;
  const weights = [0, 1].map((b) => tf.randomNormal([classes, h, t, t], 0, 1, 'float32', seed + b));
  const nodes: GraphNode[] = [0, 1].map((b) => ({
    name: `attn${b}`, kind: 'Softmax', inputs: [GRAPH_INPUT], outputShape: [h, t, t],
    apply: ([x]: tf.Tensor[]) => tf.softmax(tf.add(x.reshape([x.shape[0], h, t, t]), b)),
  }));
  nodes.push({
    name: 'scores', kind: 'Sum', inputs: ['attn0', 'attn1'], outputShape: [classes],
    apply: (as: tf.Tensor[]) => tf.addN(as.map((a, b) => tf.sum(tf.mul(a.expandDims(1), weights[b]), [2, 3, 4]))),
  });
  const model = fromGraph({ nodes, output: 'scores' }, { name: 'toy-attention', inputShape: [h * t * t], outputShape: [classes], dispose: () => tf.dispose(weights) });
  return { model, layers: { dispose: () => model.dispose?.() }, x: tf.randomNormal([2, h * t * t], 0, 1, 'float32', seed + 7) };
}
