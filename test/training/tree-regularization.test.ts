import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../src/core/errors.js';
import { treeAveragePathLength, treeRegularization } from '../../src/training/tree-regularization.js';
import { fitDecisionTree } from '../../src/rules/decision-tree.js';

function mlp(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 16, inputShape: [2], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  m.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
  return m;
}

test('treeAveragePathLength: the mean leaf depth weighted by rows', () => {
  // x < 0.5 → class 0 (2 rows, one split); x ≥ 0.5 splits again at 0.75 (1 + 1 rows): depths 1, 2, 2
  const t = fitDecisionTree({ values: Float32Array.from([0.1, 0.2, 0.6, 0.9]), rows: 4, columns: 1, labels: Int32Array.from([0, 0, 1, 0]), classes: 2 });
  assert.equal(treeAveragePathLength(t), (2 * 1 + 1 * 2 + 1 * 2) / 4);
});

// The paper's claim (APL falls against the unregularised model at similar accuracy) is not yet shown by a
// test: see src/training/README.md for the measurements so far.
test('treeRegularization rejects bad options', () => {
  const m = mlp();
  const x = tf.zeros([4, 2]);
  assert.throws(() => treeRegularization(m, { x, lambda: -1 }), LumenError);
  assert.throws(() => treeRegularization(m, { x, minSamplesLeaf: 0 }), /minSamplesLeaf/);
  x.dispose();
  m.dispose();
});
